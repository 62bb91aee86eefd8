namespace Mesh.Contracts.OpenAI;

public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
}
