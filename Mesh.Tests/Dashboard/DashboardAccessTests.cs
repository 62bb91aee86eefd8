using System.Net;

namespace Mesh.Tests.Dashboard;

/// <summary>The browser login (<c>/login?t=TOKEN</c> and its cookie) and what is reachable without it.</summary>
[Collection(SharedDashboard.Name)]
public sealed class DashboardAccessTests(DashboardFixture fixture)
{
    private TestDashboard Dashboard => fixture.Dashboard;

    [Fact]
    public async Task Pages_without_the_login_cookie_redirect_to_the_login_page_and_the_api_answers_401()
    {
        using var client = Dashboard.CreateClient();

        using var page = await client.GetAsync(new Uri("/traces?resource=x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        using var loginPage = await client.GetAsync(page.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, loginPage.StatusCode);
        Assert.Contains("Log in with the token printed by the AppHost", await loginPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var path in new[] { "/api/telemetry/stats", "/api/telemetry/traces", "/api/mesh", "/api/resources" })
        {
            using var api = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }
    }

    [Fact]
    public async Task Logging_in_without_the_right_token_is_refused()
    {
        var cookies = new CookieContainer();
        using var client = Dashboard.CreateClient(cookies);
        foreach (var path in new[] { "/login", "/login?t=", "/login?t=not-the-token", $"/login?t={Dashboard.BrowserToken}x" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Empty(cookies.GetCookies(Dashboard.UiUrl));
        using var api = await client.GetAsync(new Uri("/api/telemetry/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    /// <summary>A browser drops tabs and newlines from a URL: <c>/%09/evil.example</c> would become <c>//evil.example</c>, another site.</summary>
    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("/%0A/evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/ /evil.example")]
    public async Task Logging_in_never_redirects_to_another_site(string returnUrl)
    {
        using var client = Dashboard.CreateClient(new CookieContainer());
        using var login = await client.GetAsync(new Uri($"/login?t={Dashboard.BrowserToken}&ReturnUrl={returnUrl}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Logging_in_returns_to_a_page_of_the_dashboard()
    {
        using var client = Dashboard.CreateClient(new CookieContainer());
        using var login = await client.GetAsync(new Uri($"/login?t={Dashboard.BrowserToken}&ReturnUrl=%2Ftraces%3Fresource%3Dcoordinator", UriKind.Relative));
        Assert.Equal("/traces?resource=coordinator", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Logging_in_with_the_token_sets_the_cookie_and_opens_the_pages()
    {
        var cookies = new CookieContainer();
        using var client = Dashboard.CreateClient(cookies);

        using var login = await client.GetAsync(new Uri($"/login?t={Dashboard.BrowserToken}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(cookies.GetCookies(Dashboard.UiUrl));
        Assert.True(cookie.HttpOnly);

        using var home = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("Resources", html, StringComparison.Ordinal);
        Assert.Contains("No resource service is configured", html, StringComparison.Ordinal);

        foreach (var path in new[] { "/structuredlogs", "/traces", "/metrics", "/mesh" })
        {
            using var page = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        using var api = await client.GetAsync(new Uri("/api/telemetry/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);

        // A login link that names the page to return to goes there, but never off the site.
        using var back = await client.GetAsync(new Uri($"/login?t={Dashboard.BrowserToken}&ReturnUrl=%2Fmesh", UriKind.Relative));
        Assert.Equal("/mesh", back.Headers.Location!.OriginalString);
        using var away = await client.GetAsync(new Uri($"/login?t={Dashboard.BrowserToken}&ReturnUrl=%2F%2Fevil.example", UriKind.Relative));
        Assert.Equal("/", away.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Health_endpoints_answer_without_login()
    {
        using var client = Dashboard.CreateClient();
        foreach (var path in new[] { "/health", "/alive" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
