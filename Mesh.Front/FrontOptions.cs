using System.ComponentModel.DataAnnotations;

namespace Mesh.Front;

/// <summary>Which service the front balances (<c>Front:</c>): its replicas come from Aspire's <c>services__&lt;name&gt;__http__&lt;i&gt;</c>.</summary>
public sealed class FrontOptions
{
    public const string Section = "Front";

    [Required]
    public string Service { get; set; } = "coordinator";

    /// <summary>How long a forwarded request may stay silent; a long prefill before the first token must fit.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The service's address balances connections over its replicas (Aspire's endpoint proxy): open one per request, so
    /// requests, not connections, are spread over them.
    /// </summary>
    public bool ConnectionPerRequest { get; set; }
}
