using System.Security.Cryptography;

namespace Payments.Messaging.Tests.Webhooks;

/// <summary>
/// Test vectors from the Standard Webhooks reference libraries (github.com/standard-webhooks/standard-webhooks,
/// libraries/go/webhook_test.go and libraries/javascript/src/webhook.test.ts): the fixed "sign" vector and the
/// verification cases (missing headers, bad timestamp, tolerance both ways, several signatures, prefix optional).
/// </summary>
public class StandardWebhooksTests
{
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorPayload = "{\"test\": 2432232314}";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly WebhookSecret Secret = WebhookSecret.Parse(VectorSecret);

    [Fact]
    public void Signing_reproduces_the_reference_vector()
    {
        Assert.Equal(VectorSignature, StandardWebhooks.Sign(Secret, VectorId, VectorTimestamp, VectorPayload));
    }

    [Fact]
    public void The_secret_prefix_is_optional_and_the_key_is_the_base64_decoded_part()
    {
        var unprefixed = WebhookSecret.Parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        Assert.Equal(VectorSignature, StandardWebhooks.Sign(unprefixed, VectorId, VectorTimestamp, VectorPayload));
        Assert.Equal(Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), unprefixed.Key.ToArray());
        Assert.Equal(VectorSecret, unprefixed.Serialize());
        Assert.Equal("whsec_***", unprefixed.ToString());
    }

    [Fact]
    public void The_vector_verifies_at_its_own_time()
    {
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp));

        Assert.Equal(WebhookVerification.Valid, verifier.Verify(Secret, VectorId, "1614265330", VectorSignature, VectorPayload));
    }

    [Fact]
    public void Any_one_of_several_signatures_may_match()
    {
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp));
        var header = string.Join(' ',
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            VectorSignature,
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=");

        Assert.Equal(WebhookVerification.Valid, verifier.Verify(Secret, VectorId, "1614265330", header, VectorPayload));
        Assert.Equal(WebhookVerification.NoMatchingSignature,
            verifier.Verify(Secret, VectorId, "1614265330", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", VectorPayload));
        Assert.Equal(WebhookVerification.NoMatchingSignature,
            verifier.Verify(Secret, VectorId, "1614265330", "v2," + VectorSignature[3..], VectorPayload));
    }

    [Theory]
    [InlineData(-300, WebhookVerification.Valid)]
    [InlineData(300, WebhookVerification.Valid)]
    [InlineData(-301, WebhookVerification.TimestampOutOfTolerance)]
    [InlineData(301, WebhookVerification.TimestampOutOfTolerance)]
    [InlineData(-86400, WebhookVerification.TimestampOutOfTolerance)]
    public void Timestamps_must_be_within_five_minutes_either_way(int offsetSeconds, WebhookVerification expected)
    {
        var now = VectorTimestamp - offsetSeconds; // the message was signed offsetSeconds from "now"
        var verifier = new WebhookVerifier(ClockAt(now));

        Assert.Equal(expected, verifier.Verify(Secret, VectorId, VectorTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), VectorSignature, VectorPayload));
    }

    [Fact]
    public void The_tolerance_is_configurable()
    {
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp + 3600), TimeSpan.FromHours(2));

        Assert.Equal(WebhookVerification.Valid, verifier.Verify(Secret, VectorId, "1614265330", VectorSignature, VectorPayload));
    }

    [Fact]
    public void A_tampered_body_id_or_timestamp_does_not_verify()
    {
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp));

        Assert.Equal(WebhookVerification.NoMatchingSignature, verifier.Verify(Secret, VectorId, "1614265330", VectorSignature, "{\"test\": 2432232315}"));
        Assert.Equal(WebhookVerification.NoMatchingSignature, verifier.Verify(Secret, VectorId, "1614265330", VectorSignature, VectorPayload + " "));
        Assert.Equal(WebhookVerification.NoMatchingSignature, verifier.Verify(Secret, "msg_other", "1614265330", VectorSignature, VectorPayload));
        Assert.Equal(WebhookVerification.NoMatchingSignature, verifier.Verify(Secret, VectorId, "1614265331", VectorSignature, VectorPayload));
        Assert.Equal(WebhookVerification.NoMatchingSignature, verifier.Verify(WebhookSecret.Generate(), VectorId, "1614265330", VectorSignature, VectorPayload));
    }

    [Theory]
    [InlineData(null, "1614265330", VectorSignature, WebhookVerification.MissingHeaders)]
    [InlineData(VectorId, null, VectorSignature, WebhookVerification.MissingHeaders)]
    [InlineData(VectorId, "1614265330", null, WebhookVerification.MissingHeaders)]
    [InlineData(VectorId, "hello", VectorSignature, WebhookVerification.InvalidTimestamp)]
    [InlineData(VectorId, "-1614265330", VectorSignature, WebhookVerification.InvalidTimestamp)]
    [InlineData(VectorId, "1614265330", "v1,dawfeoifkpqwoekfpqoekf", WebhookVerification.NoMatchingSignature)]
    [InlineData(VectorId, "1614265330", "v1,g0hM9SsE", WebhookVerification.NoMatchingSignature)]
    [InlineData(VectorId, "1614265330", "v1,", WebhookVerification.NoMatchingSignature)]
    [InlineData(VectorId, "1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookVerification.NoMatchingSignature)]
    public void Reference_failure_cases(string? id, string? timestamp, string? signature, WebhookVerification expected)
    {
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp));

        Assert.Equal(expected, verifier.Verify(Secret, id, timestamp, signature, VectorPayload));
    }

    [Fact]
    public void Rotation_signs_with_every_secret_and_either_verifies()
    {
        var current = WebhookSecret.Generate();
        var previous = WebhookSecret.Generate();
        var body = Encoding.UTF8.GetBytes("{\"type\":\"order.status_changed\"}");

        var header = StandardWebhooks.SignatureHeaderValue([current, previous], "evt_1", VectorTimestamp, body);

        Assert.Equal(2, header.Split(' ').Length);
        var verifier = new WebhookVerifier(ClockAt(VectorTimestamp));
        Assert.Equal(WebhookVerification.Valid, verifier.Verify(current, "evt_1", "1614265330", header, body));
        Assert.Equal(WebhookVerification.Valid, verifier.Verify(previous, "evt_1", "1614265330", header, body));
        Assert.Equal(WebhookVerification.Valid, verifier.Verify([WebhookSecret.Generate(), previous], "evt_1", "1614265330", header, body));
    }

    [Fact]
    public void Signatures_match_an_independent_implementation_of_the_spec_text()
    {
        // Written from the spec's prose: HMAC-SHA256 keyed by base64decode(secret without "whsec_"), over
        // "{msg_id}.{timestamp}.{payload}", base64 encoded, prefixed with "v1,".
        var key = RandomNumberGenerator.GetBytes(32);
        var secretText = "whsec_" + Convert.ToBase64String(key);
        const string body = "{\"type\":\"order.status_changed\",\"data\":{\"amount\":\"49.90\",\"name\":\"Zürich ✓\"}}";
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes("evt_42.1700000000." + body)));

        Assert.Equal(expected, StandardWebhooks.Sign(WebhookSecret.Parse(secretText), "evt_42", 1700000000, body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("   ")]
    public void Bad_secrets_are_refused(string text)
    {
        Assert.False(WebhookSecret.TryParse(text, out _));
        Assert.Throws<FormatException>(() => WebhookSecret.Parse(text));
    }

    [Fact]
    public void Ids_with_dots_are_refused_when_signing()
    {
        Assert.Throws<ArgumentException>(() => StandardWebhooks.Sign(Secret, "evt.1", 1, "{}"));
    }

    private static FakeTimeProvider ClockAt(long unixSeconds) => new(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
}
