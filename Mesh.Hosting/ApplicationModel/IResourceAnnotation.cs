namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Behaviour attached to a resource, as in Aspire's app model: how it is launched, what environment it gets,
/// how its health is probed, what image it is published as. The orchestrator and the publishers read these
/// instead of switching on resource types, so a new kind of resource brings its own.
/// </summary>
public interface IResourceAnnotation;
