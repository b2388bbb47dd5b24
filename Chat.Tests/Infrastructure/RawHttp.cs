using System.Net.Sockets;
using System.Text;

namespace Chat.Tests.Infrastructure;

/// <summary>Writes an HTTP/1.1 request byte for byte and reads the response, for upgrade requests HttpClient would rewrite.</summary>
static class RawHttp
{
    public sealed record Response(int StatusCode, string Headers, string Body);

    /// <summary>A WebSocket upgrade request for <paramref name="pathAndQuery"/> with optional extra header lines.</summary>
    public static Task<Response> UpgradeAsync(Uri server, string pathAndQuery, params string[] extraHeaders) =>
        SendAsync(server, $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{string.Concat(extraHeaders.Select(h => h + "\r\n"))}\r\n");

    public static async Task<Response> SendAsync(Uri server, string request)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, ct).AsTask().WaitAsync(TestTimeouts.Network, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct).AsTask().WaitAsync(TestTimeouts.Network, ct);

        // Read the head, then exactly Content-Length bytes (a 101 has no body and keeps the connection open).
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, ct).AsTask().WaitAsync(TestTimeouts.Network, ct);
            if (read == 0)
            {
                break;
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString(buffer.ToArray(), 0, Math.Max(0, headEnd));
        var status = int.Parse(head.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = buffer.Skip(headEnd + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, ct).AsTask().WaitAsync(TestTimeouts.Network, ct);
            if (read == 0)
            {
                break;
            }

            body.AddRange(chunk.AsSpan(0, read));
        }

        return new Response(status, head, Encoding.UTF8.GetString(body.ToArray()));
    }

    static int IndexOfHeadEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
