namespace Mesh.Dashboard.Storage.Logs;

/// <summary>Maps OTLP severities (number or text) and filter text to <see cref="LogSeverity"/>.</summary>
internal static class LogSeverities
{
    /// <summary>1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal; without a number, the text decides.</summary>
    public static LogSeverity From(int severityNumber, string? severityText)
    {
        if (severityNumber is >= 1 and <= 24)
        {
            return (LogSeverity)((severityNumber - 1) / 4 + 1);
        }
        return severityText?.Trim().ToUpperInvariant() switch
        {
            "TRACE" or "TRC" => LogSeverity.Trace,
            "DEBUG" or "DBG" => LogSeverity.Debug,
            "INFO" or "INFORMATION" or "INF" => LogSeverity.Information,
            "WARN" or "WARNING" or "WRN" => LogSeverity.Warning,
            "ERROR" or "ERR" or "FAIL" => LogSeverity.Error,
            "FATAL" or "CRITICAL" or "CRIT" or "CRT" => LogSeverity.Critical,
            _ => LogSeverity.Unspecified,
        };
    }

    public static bool TryParse(string? text, out LogSeverity severity)
    {
        if (Enum.TryParse(text, ignoreCase: true, out severity) && Enum.IsDefined(severity))
        {
            return true;
        }
        severity = From(0, text);
        return severity != LogSeverity.Unspecified;
    }
}
