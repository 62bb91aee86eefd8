using System.Buffers;
using System.IO.Pipelines;

namespace Mesh.Coordinator.Forwarding;

/// <summary>Reads the <c>data:</c> payloads of a <c>text/event-stream</c> body one event at a time; each line is copied into one reused buffer.</summary>
internal sealed class ServerSentEventReader(Stream stream) : IAsyncDisposable
{
    private static ReadOnlySpan<byte> DataPrefix => "data:"u8;

    private readonly PipeReader _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024));
    private byte[] _line = new byte[4096];
    private ReadOnlySequence<byte> _buffer;
    private bool _holdingBuffer;
    private bool _completed;

    /// <summary>The next event's data, valid until the next call; empty at the end of the stream or at <c>[DONE]</c>.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_holdingBuffer && TryTakeLine(out var line))
            {
                var data = Data(line);
                if (data.IsEmpty)
                {
                    continue;
                }
                return data.Span.SequenceEqual("[DONE]"u8) ? ReadOnlyMemory<byte>.Empty : data;
            }
            if (_holdingBuffer)
            {
                _reader.AdvanceTo(_buffer.Start, _buffer.End);
                _holdingBuffer = false;
            }
            if (_completed)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            var result = await _reader.ReadAsync(cancellationToken);
            _buffer = result.Buffer;
            _holdingBuffer = true;
            _completed = result.IsCompleted;
        }
    }

    /// <summary>
    /// True when the next event is already in hand (a whole <c>data:</c> line after the blank lines that end events), so
    /// the next read returns without waiting for the network.
    /// </summary>
    public bool HasBufferedEvent
    {
        get
        {
            if (!_holdingBuffer)
            {
                return false;
            }
            var reader = new SequenceReader<byte>(_buffer);
            reader.AdvancePastAny((byte)'\n', (byte)'\r');
            return reader.IsNext(DataPrefix) && reader.TryAdvanceTo((byte)'\n');
        }
    }

    private bool TryTakeLine(out ReadOnlyMemory<byte> line)
    {
        line = default;
        if (_buffer.IsEmpty || _buffer.PositionOf((byte)'\n') is not { } end)
        {
            return false;
        }
        var slice = _buffer.Slice(0, end);
        _buffer = _buffer.Slice(_buffer.GetPosition(1, end));
        var length = (int)slice.Length;
        if (_line.Length < length)
        {
            _line = new byte[Math.Max(length, _line.Length * 2)];
        }
        slice.CopyTo(_line);
        line = _line.AsMemory(0, length);
        return true;
    }

    private static ReadOnlyMemory<byte> Data(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        if (span.Length > 0 && span[^1] == (byte)'\r')
        {
            line = line[..^1];
            span = line.Span;
        }
        if (!span.StartsWith(DataPrefix))
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var data = line[DataPrefix.Length..];
        return data.Span.Length > 0 && data.Span[0] == (byte)' ' ? data[1..] : data;
    }

    public async ValueTask DisposeAsync() => await _reader.CompleteAsync();
}
