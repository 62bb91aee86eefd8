using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Mesh.Tests.Infrastructure;

/// <summary>A small app model a test writes (a Redis, a few engines, a coordinator...), on an empty app of Aspire's testing builder.</summary>
public static class SmallApp
{
    public static Task<RunningApp> StartAsync(Action<IDistributedApplicationBuilder> model, params string[] args) =>
        RunningApp.StartAsync(DistributedApplicationTestingBuilder.Create(args), model);
}
