namespace Mesh.Dashboard.Storage.Traces;

/// <summary>OTLP's span status codes, in their wire order.</summary>
public enum SpanStatus
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
