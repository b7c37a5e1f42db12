namespace Payments.Host.Tests;

/// <summary>Checks of the wire shape of a problem answer (RFC 9457, <c>application/problem+json</c>).</summary>
public static class ProblemAssert
{
    /// <summary>The answer is a problem of <paramref name="type"/> with <paramref name="status"/>, as <c>application/problem+json</c>.</summary>
    public static async Task IsAsync(HttpResponseMessage response, int status, string type, string why)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{why}: expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("urn:payments:problem:" + type, problem["type"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
    }
}
