namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A <c>redis-server</c> of this machine run as an executable, for hosts without a container runtime: loopback only,
/// no persistence, a generated password passed through the environment (not the command line). Its connection string
/// has the shape of Aspire's <see cref="RedisResource"/>, so a service cannot tell the two apart.
/// </summary>
public sealed class LocalRedisResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "/bin/sh", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    /// <summary>The variable the password reaches <c>redis-server</c> through.</summary>
    internal const string PasswordVariable = "REDIS_PASSWORD";

    private EndpointReference? _endpoint;

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => _endpoint ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}
