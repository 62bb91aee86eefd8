using System.Net;

namespace Mesh.Tests.Dashboard;

/// <summary>Guessing the browser token is slowed down: a dashboard of its own, since the lockout is per client address.</summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public async Task After_ten_wrong_tokens_an_address_is_answered_429_until_the_minute_is_over()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        using var client = dashboard.CreateClient(new CookieContainer());
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var wrong = await client.GetAsync(new Uri($"/login?t=guess-{attempt}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await client.GetAsync(new Uri($"/login?t={dashboard.BrowserToken}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }
}
