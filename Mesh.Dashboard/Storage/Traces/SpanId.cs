using System.Buffers.Binary;
using System.Globalization;

namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A W3C span id (8 bytes); <see cref="Empty"/> means "no span" (a root's parent).</summary>
public readonly record struct SpanId(ulong Value)
{
    public const int ByteLength = 8;

    public static SpanId Empty => default;

    public bool IsEmpty => Value == 0;

    /// <summary>False for a wrong length or all zeros.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out SpanId id)
    {
        if (bytes.Length != ByteLength)
        {
            id = default;
            return false;
        }
        id = new SpanId(BinaryPrimitives.ReadUInt64BigEndian(bytes));
        return !id.IsEmpty;
    }

    public static bool TryParse(string? hex, out SpanId id)
    {
        id = default;
        return hex is { Length: ByteLength * 2 }
            && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            && !(id = new SpanId(value)).IsEmpty;
    }

    public override string ToString() => IsEmpty ? string.Empty : Value.ToString("x16", CultureInfo.InvariantCulture);
}
