namespace Mesh.Dashboard.Storage.Traces;

/// <summary>OTLP's span kinds, in their wire order.</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
