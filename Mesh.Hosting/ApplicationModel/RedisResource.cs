namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// A real <c>redis-server</c> from the PATH: loopback only, a generated password, no persistence. Where no
/// <c>redis-server</c> is installed it is unavailable: it is not started, and references get no connection string.
/// </summary>
public sealed class RedisResource : ExecutableResource
{
    public RedisResource(string name, string? executable) : base(name, executable ?? "redis-server", null)
    {
        ExecutablePath = executable;
        Password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    }

    public string? ExecutablePath { get; }

    public string Password { get; }

    /// <summary>The port, allocated when the application is built.</summary>
    public int Port { get; internal set; }

    public override string Type => "Redis";

    public override bool IsAvailable => ExecutablePath is not null;

    /// <summary>In the shape Aspire gives <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    public static string? FindExecutable() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
}
