using System.Text.Encodings.Web;

namespace Mesh.Dashboard.Authentication;

/// <summary>
/// The small page a browser without the login cookie sees (401): it asks for the token the AppHost printed and sends
/// it back as <c>/login?t=</c>. Self-contained, so it needs no authenticated asset.
/// </summary>
internal sealed class LoginPageResult(string returnUrl, bool wrongToken) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status401Unauthorized;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        httpContext.Response.Headers.CacheControl = "no-store";
        var message = wrongToken
            ? "<p class=\"error\">That token is not the one this dashboard was started with.</p>"
            : string.Empty;
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Log in · Mesh dashboard</title>
              <style>
                body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f5f6f8; color: #1f2328;
                       font: 14px/1.5 "Segoe UI", system-ui, -apple-system, sans-serif; }
                main { background: #fff; border: 1px solid #d8dce2; border-radius: 10px; padding: 32px 36px; width: min(440px, 90vw);
                       box-shadow: 0 8px 24px rgba(20, 30, 50, .08); }
                h1 { font-size: 20px; margin: 0 0 4px; } .brand { color: #5b5fc7; font-weight: 600; letter-spacing: .02em; }
                p { color: #57606a; } .error { color: #b42318; }
                form { display: flex; gap: 8px; margin-top: 16px; }
                input { flex: 1; padding: 8px 10px; border: 1px solid #c4c9d0; border-radius: 6px; font: inherit; }
                button { padding: 8px 16px; border: 0; border-radius: 6px; background: #5b5fc7; color: #fff; font: inherit; cursor: pointer; }
                code { background: #eef0f3; padding: 1px 5px; border-radius: 4px; }
              </style>
            </head>
            <body>
              <main>
                <div class="brand">Mesh dashboard</div>
                <h1>Log in with the token printed by the AppHost</h1>
                <p>The AppHost prints a link of the form <code>/login?t=…</code> when it starts. Open it, or paste its token here.</p>
                {{message}}
                <form method="get" action="/login">
                  <input type="password" name="t" placeholder="Browser token" autocomplete="off" autofocus aria-label="Browser token" />
                  <input type="hidden" name="ReturnUrl" value="{{HtmlEncoder.Default.Encode(returnUrl)}}" />
                  <button type="submit">Log in</button>
                </form>
              </main>
            </body>
            </html>
            """;
        await httpContext.Response.WriteAsync(html, httpContext.RequestAborted);
    }
}
