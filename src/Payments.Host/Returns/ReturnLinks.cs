using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Host.Hosting;

namespace Payments.Host.Returns;

/// <summary>
/// Builds the URLs handed to providers. The return URL carries an HMAC of the order id, so a guessed or
/// altered URL is a 404 before anything is read or written.
/// </summary>
public sealed class ReturnLinks : IPaymentLinks
{
    private const string TokenPurpose = "payments/return/v1:";
    private readonly byte[] _key;
    private readonly string _base;

    public ReturnLinks(IOptions<SecurityOptions> security, IOptions<PublicUrlOptions> urls)
    {
        _key = Encoding.UTF8.GetBytes(security.Value.SigningKey);
        _base = urls.Value.PublicBaseUrl.TrimEnd('/');
    }

    public Uri ReturnUrl(Order order) => new($"{_base}/api/return/{order.Provider}/{order.Id}/{Token(order.Id)}");

    public Uri CancelUrl(Order order) => new($"{ReturnUrl(order)}?cancel=1");

    public Uri WebhookUrl(string provider) => new($"{_base}/api/webhooks/{provider}");

    /// <summary>base64url(HMAC-SHA256(key, purpose + orderId)): 43 characters.</summary>
    public string Token(string orderId) => Base64Url(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(TokenPurpose + orderId)));

    public bool IsValidToken(string orderId, string token)
    {
        var expected = Encoding.ASCII.GetBytes(Token(orderId));
        var presented = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
