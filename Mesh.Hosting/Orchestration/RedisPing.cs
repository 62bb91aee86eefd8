using System.Net.Sockets;
using System.Text;

namespace Mesh.Hosting.Orchestration;

/// <summary>AUTH then PING in Redis's protocol on a loopback port; no client library needed for two commands.</summary>
internal static class RedisPing
{
    public static async Task<bool> CheckAsync(int port, string password, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = client.GetStream();
        var command = $"*2\r\n$4\r\nAUTH\r\n${password.Length}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
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
