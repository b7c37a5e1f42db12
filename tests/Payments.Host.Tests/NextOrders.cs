namespace Payments.Host.Tests;

/// <summary>NEXT orders brought to a state through the real flow (create, the sandbox's page, the shopper's return).</summary>
public static class NextOrders
{
    /// <summary>A NEXT order the shopper declined (failed), with the return form NEXT's page posts back.</summary>
    public static async Task<(string OrderId, HtmlForm Return)> FailedAsync(TestApp app, string reference = "SO-HOSTILE-1")
    {
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next(reference));
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "decline");
        Assert.Equal(HttpStatusCode.SeeOther, (await Shopper.ReturnAsync(app.Client, form)).StatusCode);
        var orderId = created.OrderId;
        Assert.Equal("failed", (await app.Api.GetOrderAsync(orderId)).Status);
        return (orderId, form);
    }

    /// <summary><paramref name="count"/> NEXT orders paid in the sandbox (ten at a time), returned shopper and all; their ids.</summary>
    public static async Task<List<string>> PaidAsync(TestApp app, int count)
    {
        var ids = new List<string>();
        foreach (var batch in Enumerable.Range(0, count).Chunk(10))
        {
            ids.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                var created = await app.Api.CreateOrderAsync(OrderBodies.Next($"SO-{i:D4}"));
                var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!);
                Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
                Assert.Contains("status=succeeded", back.Headers.Location!.Query, StringComparison.Ordinal);
                return created.OrderId;
            })));
        }

        // The publishes after the commits run in the background: the tests look at what they did.
        await app.WhenPublishedAsync();
        return ids;
    }
}
