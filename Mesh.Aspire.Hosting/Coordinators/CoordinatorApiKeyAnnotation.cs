namespace Aspire.Hosting.ApplicationModel;

/// <summary>The API key a coordinator requires of its clients, so the AppHost's own calls (state, commands) can send it.</summary>
public sealed record CoordinatorApiKeyAnnotation(ParameterResource ApiKey) : IResourceAnnotation;
