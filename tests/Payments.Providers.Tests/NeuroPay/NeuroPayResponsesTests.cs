using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>The one reader of Neuro-Pay's undocumented checkout object, and of the documented customer object.</summary>
public sealed class NeuroPayResponsesTests
{
    [Fact]
    public void The_simulators_checkout_reads_completely()
    {
        var c = NeuroPayResponses.ReadCheckout(NeuroPayTestKit.Checkout(status: "partialRefund", refunded: 990), out _)!;

        Assert.Equal(NeuroPayTestKit.CheckoutId, c.CheckoutId);
        Assert.Equal("partialRefund", c.Status);
        Assert.Equal(4990, c.Amount);
        Assert.Equal(990, c.RefundedAmount);
        Assert.Equal("SEK", c.Currency);
        Assert.Equal($"https://api.paiwise.com/checkout/pay/{NeuroPayTestKit.CheckoutId}", c.Url);
        Assert.Equal(NeuroPayTestKit.OrderId, c.Identifier);
        Assert.Equal(NeuroPayTestKit.OrderId, c.MetaData["payments_order_id"]);
        Assert.Null(c.CustomerId);
    }

    [Theory]
    [InlineData("""{"id":"abc123","status":"paid","checkout_url":"https://p.example/1"}""", "https://p.example/1")]
    [InlineData("""{"cid":"abc123","status":"paid","payment_url":"https://p.example/2"}""", "https://p.example/2")]
    [InlineData("""{"Checkout_ID":"abc123","Status":"paid","Link":"https://p.example/3"}""", "https://p.example/3")]
    [InlineData("""{"data":{"checkout_id":"abc123","status":"paid","redirectUrl":"https://p.example/4"}}""", "https://p.example/4")]
    [InlineData("""{"checkout":{"checkoutId":"abc123","status":"paid"}}""", null)]
    public void Other_plausible_names_are_read_too(string json, string? url)
    {
        var c = NeuroPayResponses.ReadCheckout(json, out _)!;

        Assert.Equal("abc123", c.CheckoutId);
        Assert.Equal("paid", c.Status);
        Assert.Equal(url, c.Url);
    }

    [Fact]
    public void Amounts_may_come_as_digit_strings_and_ids_as_numbers()
    {
        var c = NeuroPayResponses.ReadCheckout("""{"checkout_id":12345,"amount":"3000","refunded_amount":"12.5"}""", out _)!;

        Assert.Equal("12345", c.CheckoutId);
        Assert.Equal(3000, c.Amount);
        Assert.Null(c.RefundedAmount);
    }

    [Theory]
    [InlineData("""{"metaData":{"a":"1","n":2,"b":true,"o":{"x":1}}}""")]
    [InlineData("""{"metaData":[{"key":"a","value":"1"},{"key":"n","value":2},{"b":true}]}""")]
    [InlineData("""{"metadata":[{"a":"1"},{"n":2,"b":true}]}""")]
    public void MetaData_reads_as_an_object_or_a_key_value_array(string meta)
    {
        var json = meta.Insert(1, "\"checkout_id\":\"c1\",");
        var c = NeuroPayResponses.ReadCheckout(json, out _)!;

        Assert.Equal("1", c.MetaData["a"]);
        Assert.Equal("2", c.MetaData["n"]);
        Assert.Equal("true", c.MetaData["b"]);
        Assert.False(c.MetaData.ContainsKey("o"));
    }

    [Theory]
    [InlineData("", "the body is not JSON")]
    [InlineData("<html/>", "the body is not JSON")]
    [InlineData("[]", "the body is not a JSON object")]
    [InlineData("""{"status":"paid"}""", "it has no usable checkout_id")]
    [InlineData("""{"checkout_id":"../../etc"}""", "it has no usable checkout_id")]
    [InlineData("""{"checkout_id":""}""", "it has no usable checkout_id")]
    [InlineData("""{"error":"not_found"}""", "it has no usable checkout_id")]
    public void What_is_not_a_checkout_says_why(string json, string problem)
    {
        Assert.Null(NeuroPayResponses.ReadCheckout(json, out var why));
        Assert.Equal(problem, why);
    }

    [Fact]
    public void The_documented_customer_reads_completely()
    {
        var c = NeuroPayResponses.ReadCustomer(NeuroPayTestKit.Customer, out _)!;

        Assert.Equal(NeuroPayTestKit.CustomerId, c.CustomerId);
        Assert.Equal("Ada", c.FirstName);
        Assert.Equal("Lovelace", c.LastName);
        Assert.Equal("ada@example.com", c.Email);
        Assert.Equal($"https://neuro-admin.com/client/{NeuroPayTestKit.CustomerId}", c.ClientPage);
        Assert.Equal("cust_123", c.MetaData["crmId"]);
        var card = Assert.Single(c.SavedCards);
        Assert.Equal(new NeuroPaySavedCard("c0ffee0000000000000000000000beef", "visa", "4242", "12/27", true), card);
    }

    [Fact]
    public void The_seeds_Client_page_spelling_and_other_card_shapes_read_too()
    {
        const string json = """
            {"customer_id":"c1","Client_page":"https://neuro-admin.com/c1","savedCards":[
              {"id":"k1","type":"mastercard","masked":"5555 **** **** 4444","exp_month":3,"exp_year":2029,"is_default":false},
              {"card_id":"k2"},
              {"brand":"visa"},
              "not a card"]}
            """;

        var c = NeuroPayResponses.ReadCustomer(json, out _)!;

        Assert.Equal("https://neuro-admin.com/c1", c.ClientPage);
        Assert.Equal(2, c.SavedCards.Count);
        Assert.Equal(new NeuroPaySavedCard("k1", "mastercard", "4444", "03/29", false), c.SavedCards[0]);
        Assert.Equal(new NeuroPaySavedCard("k2", null, null, null, false), c.SavedCards[1]);
        Assert.Empty(c.MetaData);
    }

    [Theory]
    [InlineData("""{"error":"invalid_status","message":"x"}""", "invalid_status")]
    [InlineData("""{"error":{"code":"unauthorized","message":"x"}}""", "unauthorized")]
    [InlineData("""{"code":"E42","message":"x"}""", "E42")]
    [InlineData("""{"message":"x"}""", null)]
    [InlineData("""["x"]""", null)]
    public void Error_codes_are_read_without_messages(string body, string? code)
    {
        Assert.Equal(code, NeuroPayResponses.ReadErrorCode(body));
    }
}
