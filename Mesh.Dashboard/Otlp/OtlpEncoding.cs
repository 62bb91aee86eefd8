namespace Mesh.Dashboard.Otlp;

/// <summary>The two encodings of OTLP/HTTP.</summary>
internal enum OtlpEncoding
{
    Unsupported,
    Protobuf,
    Json,
}
