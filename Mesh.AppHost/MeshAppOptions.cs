using Mesh.Aspire.Hosting.Redis;
using Mesh.Contracts.Compute;

namespace Mesh.AppHost;

/// <summary>The shape of the demo mesh, bound from the AppHost's <c>Mesh:</c> section (appsettings.json, environment, command line).</summary>
public sealed class MeshAppOptions
{
    public const string Section = "Mesh";

    public EngineSettings Engines { get; set; } = new();

    public CloudSettings Cloud { get; set; } = new();

    public CoordinatorSettings Coordinator { get; set; } = new();

    public WorkflowSettings Workflow { get; set; } = new();

    public RedisSettings Redis { get; set; } = new();

    public sealed class EngineSettings
    {
        public int Replicas { get; set; } = 3;

        /// <summary><c>small</c> (the demo) or <c>tiny</c> (fast).</summary>
        public string Model { get; set; } = "small";

        public bool Simulated { get; set; }

        public int KvCapacityBlocks { get; set; }

        /// <summary>Simulated engines only: a context window other than the model's (0 keeps it), for long-prompt measurements.</summary>
        public int SimulatedContextWindow { get; set; }

        public bool RestartOnExit { get; set; } = true;

        /// <summary>Heartbeat period of the engines (the registry drops an engine about three periods after its last beat).</summary>
        public TimeSpan? HeartbeatInterval { get; set; }

        /// <summary>GPUs each local engine requests when published (<c>nvidia.com/gpu</c>); 0 requests none.</summary>
        public int Gpus { get; set; }

        /// <summary>
        /// Where the engines compute (<c>Engine:Backend</c>): <c>auto</c> takes a GPU when one is found, else the CPU;
        /// <c>cuda</c> insists on a GPU; <c>cpu</c> never looks for one.
        /// </summary>
        public string Backend { get; set; } = ComputeBackendNames.Auto;

        /// <summary>
        /// The GPUs local engine replicas are spread over, one per replica in turn (<c>"0,1"</c>); by default every GPU
        /// the host lists (<c>CUDA_VISIBLE_DEVICES</c> of the AppHost, else the NVIDIA driver's list).
        /// </summary>
        public string? CudaDevices { get; set; }
    }

    /// <summary>
    /// Redis: <c>Auto</c> (an external one when <see cref="ConnectionString"/> is set, else a container where a container
    /// runtime answers, else this machine's <c>redis-server</c>, else none), or one of <c>Container</c>, <c>Executable</c>,
    /// <c>External</c>, <c>None</c> to force it.
    /// </summary>
    public sealed class RedisSettings
    {
        public string Mode { get; set; } = nameof(RedisMode.Auto);

        /// <summary>An existing Redis or Redis Cluster (StackExchange.Redis syntax), kept as a secret parameter.</summary>
        public string? ConnectionString { get; set; }
    }

    /// <summary>The cloud tier: a real OpenAI-compatible provider when <see cref="Url"/> is set, else a Mesh.Engine started as tier <c>cloud</c>.</summary>
    public sealed class CloudSettings
    {
        public bool Enabled { get; set; } = true;

        public string? Url { get; set; }

        public string? ApiKey { get; set; }

        public string? Model { get; set; }
    }

    /// <summary>The Semantic Kernel workflow service (MoFA's demo).</summary>
    public sealed class WorkflowSettings
    {
        public bool Enabled { get; set; } = true;

        /// <summary>A fixed port for the workflow; 0 picks a free one.</summary>
        public int Port { get; set; } = 5090;
    }

    public sealed class CoordinatorSettings
    {
        /// <summary>A fixed port for the coordinator; 0 picks a free one.</summary>
        public int Port { get; set; } = 5080;

        /// <summary>Coordinator replicas; they share the prefix index and the engines' load through Redis.</summary>
        public int Replicas { get; set; } = 1;

        public string Policy { get; set; } = "prefix_aware";

        public string TierPolicy { get; set; } = "LocalFirstWithCloudFallback";

        public TimeSpan? PrefixTtl { get; set; }

        public string? ApiKey { get; set; }
    }
}
