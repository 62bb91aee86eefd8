namespace Mesh.Dashboard.Storage.Logs;

/// <summary>The six levels a person filters by, from OTLP's 24 severity numbers (four per level).</summary>
public enum LogSeverity
{
    Unspecified = 0,
    Trace = 1,
    Debug = 2,
    Information = 3,
    Warning = 4,
    Error = 5,
    Critical = 6,
}
