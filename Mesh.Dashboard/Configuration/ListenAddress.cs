using System.Net;

namespace Mesh.Dashboard.Configuration;

/// <summary>An endpoint URL from configuration (<c>http://127.0.0.1:18888</c>, <c>http://localhost:18889</c>, <c>http://*:18890</c>).</summary>
internal sealed record ListenAddress(string Scheme, string Host, int Port)
{
    public bool IsHttps => Scheme == Uri.UriSchemeHttps;

    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The address to bind, or null for every interface (<c>*</c>, <c>+</c>, a host name).</summary>
    public IPAddress? BindAddress => IsLocalhost ? null : IPAddress.TryParse(Host.Trim('[', ']'), out var address) ? address : null;

    public bool IsAnyInterface => !IsLocalhost && BindAddress is null;

    /// <summary>The URL a person on this machine opens.</summary>
    public string BrowsableUrl
    {
        get
        {
            var host = IsAnyInterface || BindAddress is { } any && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any)) ? "localhost" : Host;
            return $"{Scheme}://{host}:{Port}";
        }
    }

    public static bool TryParse(string? text, out ListenAddress address, out string? error)
    {
        address = null!;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }
        // Uri refuses the wildcard hosts that ASP.NET Core accepts, so they are swapped for a placeholder first.
        var normalized = text.Trim().Replace("://*", "://wildcard.invalid", StringComparison.Ordinal).Replace("://+", "://wildcard.invalid", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"'{text}' is not an http:// or https:// URL";
            return false;
        }
        if (uri.IsDefaultPort && !text.Contains($":{uri.Port}", StringComparison.Ordinal))
        {
            error = $"'{text}' names no port";
            return false;
        }
        var host = uri.Host == "wildcard.invalid" ? "*" : uri.Host;
        address = new ListenAddress(uri.Scheme, host, uri.Port);
        return true;
    }

    public static IReadOnlyList<ListenAddress> ParseList(string? text) =>
        [.. (text ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => TryParse(url, out var address, out var error) ? address : throw new FormatException(error))];
}
