using System.Security.Cryptography;
using System.Text;
using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextWebhookTests
{
    // Signed with "whsec_test" by Python's hmac over the raw bytes and over json.dumps(json.loads(raw)).
    private const string Raw = """{"api_version":"2024-04-01","object":"order","event_id":"f7eb1338-0934-4cda-8128-d6a77761a368","event_type":"order.updated","data":{"number":"108231","payment_status":"paid","metadata":{"payments_order_id":"ord_0190a1b2c3d4e5f60718293a4b5c6d7e"},"user":{"first_name":"Zoë","note":"a\"b\\c\n/é😀"},"lines":[],"is_test":true,"total":null,"qty":2},"webhook":{"id":39,"store":"shop"}}""";
    private const string RawSignature = "70802deb6fe1c7d3a09205b6d2522aecbc31d5bea72f5198a685f292382dfb0c";
    private const string PythonSignature = "8e5f329ea1708e8305fa52f1d84c8df8a8c4a66944ed08f6f84937a47c8b6965";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(Raw);

    [Fact]
    public void A_signature_over_the_raw_body_is_authentic()
    {
        using var services = NextTestKit.Services(null);
        var verifier = services.GetRequiredService<NextWebhookVerifier>();

        Assert.True(verifier.IsAuthentic(Body, RawSignature));
        Assert.True(verifier.IsAuthentic(Body, RawSignature.ToUpperInvariant()));
    }

    [Fact]
    public void A_signature_over_pythons_reserialisation_is_authentic()
    {
        using var services = NextTestKit.Services(null);

        Assert.True(services.GetRequiredService<NextWebhookVerifier>().IsAuthentic(Body, PythonSignature));
    }

    [Fact]
    public void The_reserialisation_matches_python_byte_for_byte()
    {
        const string python = """{"api_version": "2024-04-01", "object": "order", "event_id": "f7eb1338-0934-4cda-8128-d6a77761a368", "event_type": "order.updated", "data": {"number": "108231", "payment_status": "paid", "metadata": {"payments_order_id": "ord_0190a1b2c3d4e5f60718293a4b5c6d7e"}, "user": {"first_name": "Zo\u00eb", "note": "a\"b\\c\n/\u00e9\ud83d\ude00"}, "lines": [], "is_test": true, "total": null, "qty": 2}, "webhook": {"id": 39, "store": "shop"}}""";

        Assert.Equal(python, Encoding.ASCII.GetString(NextWebhookVerifier.PythonJsonDumps(Body)!));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-hex")]
    [InlineData("70802deb6fe1c7d3a09205b6d2522aecbc31d5bea72f5198a685f292382dfb0d")]
    [InlineData("70802deb")]
    public void Anything_else_is_not(string? signature)
    {
        using var services = NextTestKit.Services(null);

        Assert.False(services.GetRequiredService<NextWebhookVerifier>().IsAuthentic(Body, signature));
    }

    [Fact]
    public void A_tampered_body_is_not_authentic()
    {
        using var services = NextTestKit.Services(null);
        var tampered = Encoding.UTF8.GetBytes(Raw.Replace("\"paid\"", "\"refunded\"", StringComparison.Ordinal));

        Assert.False(services.GetRequiredService<NextWebhookVerifier>().IsAuthentic(tampered, RawSignature));
        Assert.False(services.GetRequiredService<NextWebhookVerifier>().IsAuthentic(tampered, PythonSignature));
    }

    [Fact]
    public void Another_secret_does_not_verify()
    {
        using var services = NextTestKit.Services(null, s => s["Providers:Next:WebhookSecret"] = "whsec_other");

        Assert.False(services.GetRequiredService<NextWebhookVerifier>().IsAuthentic(Body, RawSignature));
    }

    [Fact]
    public void The_envelope_names_the_event_and_the_order()
    {
        using var services = NextTestKit.Services(null);

        var evt = services.GetRequiredService<NextWebhookVerifier>().Read(Body);

        Assert.Equal(new NextWebhookEvent("f7eb1338-0934-4cda-8128-d6a77761a368", "order.updated", "2024-04-01", "108231",
            "ord_0190a1b2c3d4e5f60718293a4b5c6d7e"), evt);
    }

    [Fact]
    public void A_transaction_event_names_its_order_number()
    {
        using var services = NextTestKit.Services(null);
        var body = """{"event_id":"e1","event_type":"transaction.created","api_version":"2024-04-01","data":{"id":5,"order":"108231","status":"succeeded"}}""";

        var evt = services.GetRequiredService<NextWebhookVerifier>().Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal("108231", evt!.OrderNumber);
        Assert.Null(evt.OrderId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"event_id\":\"x\"}")]
    [InlineData("{not json")]
    public void Something_else_is_no_event(string body)
    {
        using var services = NextTestKit.Services(null);

        Assert.Null(services.GetRequiredService<NextWebhookVerifier>().Read(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Signatures_are_hex_hmac_sha256()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData("whsec_test"u8, Body));
        Assert.Equal(RawSignature, expected);
    }
}
