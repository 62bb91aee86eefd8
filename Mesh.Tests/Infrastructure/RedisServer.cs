using Mesh.Hosting.Networking;
using Mesh.Hosting.Processes;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>A real <c>redis-server</c> on a free loopback port with a password and no persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private RedisServer(int port, string password, ManagedProcess process, ConnectionMultiplexer connection)
    {
        Port = port;
        Password = password;
        Process = process;
        Connection = connection;
    }

    public int Port { get; }

    public string Password { get; }

    public ManagedProcess Process { get; }

    public ConnectionMultiplexer Connection { get; }

    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    public IDatabase Database => Connection.GetDatabase();

    public static async Task<RedisServer> StartAsync()
    {
        var port = PortAllocator.Next();
        var password = Guid.NewGuid().ToString("N");
        var process = ManagedProcess.Start(
            new ProcessSpec("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--requirepass", password, "--save", "", "--appendonly", "no"], new Dictionary<string, string>()),
            new LogBuffer(200), TimeProvider.System);
        var options = ConfigurationOptions.Parse($"127.0.0.1:{port},password={password}");
        options.AbortOnConnectFail = false;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                await connection.GetDatabase().PingAsync();
                return new RedisServer(port, password, process, connection);
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Process.DisposeAsync();
    }
}
