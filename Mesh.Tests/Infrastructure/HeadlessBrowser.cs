using Microsoft.Playwright;

namespace Mesh.Tests.Infrastructure;

/// <summary>Debian's Chromium, headless, driven by Playwright; with screenshots saved as test artifacts.</summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    private static readonly string ScreenshotFolder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<HeadlessBrowser> LaunchAsync(float timeoutMs)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(timeoutMs);
        // Expect(...) waits as long as a loaded machine may need, not Playwright's default five seconds.
        Assertions.SetDefaultExpectTimeout((float)Infrastructure.Eventually.DefaultTimeout.TotalMilliseconds);
        return new HeadlessBrowser(playwright, browser, context, page);
    }

    /// <summary>A full-page screenshot under TestResults/screenshots, printed and attached to the test.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot: {path}");
        TestContext.Current.AddAttachment($"{name}.png", await File.ReadAllBytesAsync(path), "image/png");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
