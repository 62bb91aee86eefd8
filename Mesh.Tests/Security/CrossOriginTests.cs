using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Security;

/// <summary>
/// A page on another site, open in a real browser on the same machine, tries to use the local mesh (no API key is set, the
/// default): a plain-text "simple" POST reaches the coordinator but runs nothing (415), and a JSON POST needs a CORS
/// preflight that the coordinator does not grant, so the browser never sends it.
/// </summary>
[Collection(SharedMesh.Name)]
public sealed class CrossOriginTests(MeshAppFixture mesh)
{
    /// <summary>Serves one HTML page from another origin (another port on loopback).</summary>
    private sealed class OtherSite : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public OtherSite(string html)
        {
            _listener.Start();
            _ = ServeAsync(html);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        private async Task ServeAsync(string html)
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    await using var stream = client.GetStream();
                    var buffer = new byte[8192];
                    _ = await stream.ReadAsync(buffer);
                    var body = Encoding.UTF8.GetBytes(html);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    await stream.WriteAsync(body);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException or IOException)
            {
            }
        }

        public void Dispose() => _listener.Stop();
    }

    [Fact]
    public Task A_page_on_another_site_cannot_run_a_completion_on_the_local_mesh() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var coordinator = mesh.Coordinator.BaseAddress!.ToString().TrimEnd('/');
        var body = OpenAIClient.Chat("sent from another site", 1).ToJsonString();
        using var site = new OtherSite($$"""
            <!doctype html><html><body><script>
            async function attempt(type) {
              try {
                const response = await fetch('{{coordinator}}/v1/chat/completions', { method: 'POST', headers: { 'Content-Type': type }, body: '{{body}}' });
                return 'read ' + response.status;
              } catch (e) { return 'blocked'; }
            }
            </script></body></html>
            """);
        var before = await PrometheusScrape.ReadAsync(mesh.Coordinator);

        await using var browser = await HeadlessBrowser.LaunchAsync((float)Eventually.DefaultTimeout.TotalMilliseconds);
        await browser.Page.GotoAsync(site.Url);
        var plain = await browser.Page.EvaluateAsync<string>("attempt('text/plain')");
        var json = await browser.Page.EvaluateAsync<string>("attempt('application/json')");
        var after = await Eventually.MatchAsync(() => PrometheusScrape.ReadAsync(mesh.Coordinator),
            scrape => scrape.Sum("coordinator_invalid_message_total", "reason=\"unsupported_media_type\"") > before.Sum("coordinator_invalid_message_total", "reason=\"unsupported_media_type\""),
            scrape => "the plain-text post was not refused");

        Assert.Equal("blocked", plain); // the browser does not let the page read the answer either
        Assert.Equal("blocked", json);
        Assert.Equal(before.Sum("mesh_routing_decisions_total"), after.Sum("mesh_routing_decisions_total")); // nothing was routed
    });
}
