using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Mesh.Dashboard.Authentication;

/// <summary>
/// Keeps the data-protection keys that sign the login cookie in memory: a restart logs browsers out (the AppHost hands
/// out a fresh token anyway), and nothing is written outside the process.
/// </summary>
internal sealed class InMemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _lock = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return [.. _elements.Select(element => new XElement(element))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}
