using System.Security.Cryptography;
using System.Text;
using Payments.Messaging.ServiceBus;
using Payments.Messaging.Tests.Support;

namespace Payments.Messaging.Tests.ServiceBus;

public class SasTokenTests
{
    private const string Key = "8bC6Qe3Yp1JmZ0v2kSxRf9Tg7Hn4Lw5Ua0Ed3Ic6Ob8=";
    private const string KeyName = "RootManageSharedAccessKey";
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeSeconds(1767225600);

    [Fact]
    public void Token_matches_a_value_computed_outside_dotnet()
    {
        // Computed with Python (hmac/hashlib/urllib.parse.quote_plus) from the documented algorithm:
        // quote_plus(lower(uri)) + "\n" + expiry, HMAC-SHA256 keyed by the UTF-8 bytes of the key string.
        const string expected = "SharedAccessSignature sr=https%3A%2F%2Fcontoso-payments.servicebus.windows.net%2Fpayment-events"
            + "&sig=DPoTz3Z3y%2BdSq3QhuvQ1EexTCQXutGFUT00xQ2coeUY%3D&se=1767225600&skn=RootManageSharedAccessKey";

        var token = SasTokenProvider.CreateToken("https://Contoso-Payments.servicebus.windows.net/Payment-Events", KeyName, Key, Expiry);

        Assert.Equal(expected, token);
    }

    [Fact]
    public void Signature_is_the_HMAC_of_the_encoded_resource_and_expiry_under_the_UTF8_key()
    {
        var token = SasTokenProvider.CreateToken("https://ns.servicebus.windows.net/orders", "send", "not+base64/at all", Expiry);

        // Recompute from the documentation: StringToSign = encoded URI + "\n" + expiry; the key is not base64-decoded.
        const string encodedResource = "https%3A%2F%2Fns.servicebus.windows.net%2Forders";
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("not+base64/at all"));
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(encodedResource + "\n" + "1767225600")));

        var parts = Parse(token);
        Assert.Equal(encodedResource, parts["sr"]);
        Assert.Equal(signature, Uri.UnescapeDataString(parts["sig"]));
        Assert.Equal("1767225600", parts["se"]);
        Assert.Equal("send", parts["skn"]);
    }

    [Fact]
    public async Task Tokens_are_cached_per_resource_and_renewed_before_they_expire()
    {
        var clock = new FakeTimeProvider();
        var provider = new SasTokenProvider(KeyName, Key, clock, TimeSpan.FromHours(1));
        var orders = new Uri("https://ns.servicebus.windows.net/orders");

        var first = await provider.GetAuthorizationAsync(orders, default);
        clock.Advance(TimeSpan.FromMinutes(50));
        var cached = await provider.GetAuthorizationAsync(orders, default);
        var other = await provider.GetAuthorizationAsync(new Uri("https://ns.servicebus.windows.net/charges"), default);
        clock.Advance(TimeSpan.FromMinutes(6)); // 4 minutes left: under the 5-minute margin
        var renewed = await provider.GetAuthorizationAsync(orders, default);

        Assert.Equal(first, cached);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, renewed);
        Assert.Equal((clock.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Parse(renewed)["se"]);
    }

    [Fact]
    public void Provider_never_prints_the_key()
    {
        Assert.DoesNotContain(Key, new SasTokenProvider(KeyName, Key).ToString(), StringComparison.Ordinal);
    }

    internal static Dictionary<string, string> Parse(string token)
    {
        Assert.StartsWith("SharedAccessSignature ", token, StringComparison.Ordinal);
        return token["SharedAccessSignature ".Length..].Split('&')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }
}
