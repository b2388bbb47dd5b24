using System.Buffers.Text;
using System.Diagnostics;

namespace Chat.Bench.Workload;

/// <summary>
/// The text of every bench message: <c>sender.sequence.timestamp</c>, digits and dots only, so it needs no JSON escaping
/// and every target carries it unchanged. The timestamp is <see cref="Stopwatch.GetTimestamp"/> of the bench process at
/// the moment of sending, or in a paced round the moment the message was scheduled to be sent (so a late send does not
/// hide its delay); senders and receivers are in that one process, so receipt minus it is the end-to-end latency.
/// </summary>
public readonly record struct BenchPayload(int Sender, int Sequence, long SentTimestamp)
{
    /// <summary>Enough for three numbers and two dots.</summary>
    public const int MaxLength = 48;

    /// <summary>Writes the payload as UTF-8; returns the number of bytes.</summary>
    public int Format(Span<byte> utf8)
    {
        var written = 0;
        Append(Sender, utf8, ref written);
        utf8[written++] = (byte)'.';
        Append(Sequence, utf8, ref written);
        utf8[written++] = (byte)'.';
        Append(SentTimestamp, utf8, ref written);
        return written;
    }

    public override string ToString()
    {
        Span<byte> utf8 = stackalloc byte[MaxLength];
        return System.Text.Encoding.ASCII.GetString(utf8[..Format(utf8)]);
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, out BenchPayload payload)
    {
        payload = default;
        if (!Utf8Parser.TryParse(utf8, out int sender, out var consumed) || consumed >= utf8.Length || utf8[consumed] != '.')
        {
            return false;
        }

        utf8 = utf8[(consumed + 1)..];
        if (!Utf8Parser.TryParse(utf8, out int sequence, out consumed) || consumed >= utf8.Length || utf8[consumed] != '.')
        {
            return false;
        }

        utf8 = utf8[(consumed + 1)..];
        if (!Utf8Parser.TryParse(utf8, out long timestamp, out consumed) || consumed != utf8.Length)
        {
            return false;
        }

        payload = new BenchPayload(sender, sequence, timestamp);
        return true;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out BenchPayload payload)
    {
        payload = default;
        if (text.Length > MaxLength)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[MaxLength];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }

            utf8[i] = (byte)text[i];
        }

        return TryParse(utf8[..text.Length], out payload);
    }

    static void Append(long value, Span<byte> utf8, ref int written)
    {
        Utf8Formatter.TryFormat(value, utf8[written..], out var count);
        written += count;
    }
}
