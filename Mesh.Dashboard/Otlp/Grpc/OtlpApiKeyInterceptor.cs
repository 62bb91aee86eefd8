using Grpc.Core;
using Grpc.Core.Interceptors;
using Mesh.Dashboard.Configuration;
using Mesh.Contracts.Http;

namespace Mesh.Dashboard.Otlp.Grpc;

/// <summary>Answers <see cref="StatusCode.Unauthenticated"/> to a gRPC export without a valid <c>x-otlp-api-key</c> metadata entry.</summary>
internal sealed class OtlpApiKeyInterceptor(OtlpApiKeyAuthenticator authenticator) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!authenticator.IsAuthorized(context.RequestHeaders.GetValue(DashboardHeaders.OtlpApiKey)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"A valid {DashboardHeaders.OtlpApiKey} is required."));
        }
        return continuation(request, context);
    }
}
