using System.Buffers.Binary;
using System.Globalization;

namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A W3C trace id (16 bytes) held as two words, so it is a cheap dictionary key; shown as 32 lowercase hex digits.</summary>
public readonly record struct TraceId(ulong High, ulong Low)
{
    public const int ByteLength = 16;

    public bool IsEmpty => High == 0 && Low == 0;

    /// <summary>False for a wrong length or all zeros, which OTLP calls invalid.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out TraceId id)
    {
        if (bytes.Length != ByteLength)
        {
            id = default;
            return false;
        }
        id = new TraceId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        return !id.IsEmpty;
    }

    public static bool TryParse(string? hex, out TraceId id)
    {
        id = default;
        return hex is { Length: ByteLength * 2 }
            && ulong.TryParse(hex.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            && ulong.TryParse(hex.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
            && !(id = new TraceId(high, low)).IsEmpty;
    }

    public override string ToString() => $"{High:x16}{Low:x16}";

    /// <summary>The first seven hex digits, enough to tell traces apart on a screen.</summary>
    public string ShortText => ToString()[..7];
}
