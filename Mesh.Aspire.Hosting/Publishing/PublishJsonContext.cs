using System.Text.Json.Serialization;

namespace Mesh.Aspire.Hosting.Publishing;

[JsonSerializable(typeof(string))]
internal sealed partial class PublishJsonContext : JsonSerializerContext;
