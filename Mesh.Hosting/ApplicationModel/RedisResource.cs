namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// A real <c>redis-server</c> from the PATH: loopback only, a generated password, no persistence. Where no
/// <c>redis-server</c> is installed it is unavailable: it is not started, and references get no connection string.
/// Published, it is the <c>redis</c> image with the same password, kept as a secret.
/// </summary>
public sealed class RedisResource : ExecutableResource, IResourceWithConnectionString
{
    /// <summary>Redis's port inside a container.</summary>
    public const int ContainerPort = 6379;

    public RedisResource(string name, string? executable) : base(name, executable ?? "redis-server", null)
    {
        ExecutablePath = executable;
        PasswordParameter = new ParameterResource(
            name + "-password", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), secret: true);
    }

    public string? ExecutablePath { get; }

    public ParameterResource PasswordParameter { get; }

    public string Password => PasswordParameter.Value;

    /// <summary>The local port, chosen when the resource is added.</summary>
    public int Port
    {
        get => FixedPort ?? 0;
        internal set => FixedPort = value;
    }

    public override string Type => "Redis";

    public override bool IsAvailable => ExecutablePath is not null;

    /// <summary>The local connection string, in the shape Aspire gives <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    public string ConnectionStringFor(IEnvironmentValues values) =>
        $"{values.AddressOf(this, Port, ContainerPort)},password={values.ValueOf(PasswordParameter)}";

    public static string? FindExecutable() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
}
