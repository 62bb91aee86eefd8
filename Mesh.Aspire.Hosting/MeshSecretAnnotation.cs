namespace Aspire.Hosting.ApplicationModel;

/// <summary>The mesh secret a service was given, so the AppHost's commands can derive the keys the service asks for.</summary>
public sealed record MeshSecretAnnotation(ParameterResource Secret) : IResourceAnnotation;
