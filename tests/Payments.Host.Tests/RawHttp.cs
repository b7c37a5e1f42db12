using System.Net.Sockets;

namespace Payments.Host.Tests;

/// <summary>
/// HTTP/1.1 over a bare socket, for framing <see cref="HttpClient"/> will not send: chunk sizes that overflow, a
/// chunk line that is not hex. The request is written as given (with <c>Connection: close</c>) and the answer read until the
/// server closes. Not half-closed: Kestrel takes a half-close for the client going away and answers nothing. Answers to
/// operations of openapi/payments-v1.json are checked against it, as <see cref="Contract.ContractRecorder"/> does for HttpClient.
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> SendAsync(string baseUrl, string method, string target, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        var uri = new Uri(baseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(uri.Authority).Append("\r\n");
        head.Append("Connection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()));
            await stream.WriteAsync(body);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything we meant to send.
        }
        catch (SocketException)
        {
        }

        var answer = new MemoryStream();
        try
        {
            // Only a guard against a hang, never an expectation about speed.
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await stream.CopyToAsync(answer, guard.Token);
        }
        catch (IOException) when (answer.Length > 0)
        {
            // A reset after the answer: what arrived is the answer.
        }

        var response = Parse(answer.ToArray());
        Contract.ContractRecorder.Verify(method, target.Split('?')[0], response.Status, response.ContentType?.Split(';')[0].Trim(), response.Body);
        return response;
    }

    private static RawResponse Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidOperationException($"No HTTP answer ({raw.Length} bytes)");
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? contentType = null;
        string? location = null;
        var chunked = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                location = value;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        var body = raw.AsSpan(Encoding.Latin1.GetByteCount(text[..(end + 4)]));
        return new RawResponse(status, contentType, Encoding.UTF8.GetString(chunked ? Dechunk(body) : body.ToArray()), location);
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> body)
    {
        var result = new MemoryStream();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return result.ToArray();
            }

            var sizeText = Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            body = body[(lineEnd + 2)..];
            if (size == 0 || body.Length < size)
            {
                return result.ToArray();
            }

            result.Write(body[..size]);
            body = body[Math.Min(body.Length, size + 2)..];
        }
    }
}
