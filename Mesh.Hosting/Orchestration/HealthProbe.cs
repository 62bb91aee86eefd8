using System.Net.Sockets;
using System.Text;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Orchestration;

/// <summary>Whether an instance is healthy right now: a 2xx from its health path, or PONG from Redis.</summary>
internal static class HealthProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public static async Task<bool> CheckAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            return instance.Resource switch
            {
                RedisResource redis => await PingRedisAsync(redis, cancellationToken),
                { HealthPath: { } path } when instance.Url is { } url =>
                    (await Http.GetAsync(new Uri(url, path), cancellationToken)).IsSuccessStatusCode,
                _ => instance.Process is { HasExited: false },
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A probe that times out (a hung process) is an unhealthy answer; it must not end the instance's monitoring.
            return false;
        }
    }

    /// <summary>AUTH then PING in Redis's protocol; no client library needed for two commands.</summary>
    private static async Task<bool> PingRedisAsync(RedisResource redis, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", redis.Port, timeout.Token);
        var stream = client.GetStream();
        var command = $"*2\r\n$4\r\nAUTH\r\n${redis.Password.Length}\r\n{redis.Password}\r\n*1\r\n$4\r\nPING\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command), timeout.Token);
        var buffer = new byte[64];
        var received = new StringBuilder();
        while (!received.ToString().Contains("PONG", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0 || received.Append(Encoding.ASCII.GetString(buffer, 0, read)).ToString().Contains("-ERR", StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
