namespace Payments.Host.Tests;

/// <summary>
/// The storefront's view of the API: one method per operation of openapi/payments-v1.json, answers read into the
/// records of its JSON (<see cref="OrderView"/>, <see cref="ChargeAccepted"/>, <see cref="Problem"/>, …) with the app's own
/// JSON options, so a test reads <c>order.History[0].Source</c>. Everything goes through <see cref="TestApp.Client"/>, so the
/// contract recorder still sees every answer. The <c>…Async</c> methods that send return the raw
/// <see cref="HttpResponseMessage"/> (a test of a status or header checks it); <see cref="ReadAsync{T}"/> and
/// <see cref="ExpectAsync{T}(HttpResponseMessage, HttpStatusCode)"/> read its body.
/// </summary>
public sealed class PaymentsApiClient(HttpClient client, System.Text.Json.JsonSerializerOptions json)
{
    /// <summary>The app's JSON options (<c>ConfigureHttpJsonOptions</c>), as its answers are written with.</summary>
    public System.Text.Json.JsonSerializerOptions Json { get; } = json;

    /// <summary><c>POST /api/orders</c>, with an <c>Idempotency-Key</c> when one is given.</summary>
    public Task<HttpResponseMessage> PostOrderAsync(object body, string? key = null) => PostAsync("/api/orders", body, key);

    /// <summary>Opens a payment and expects <c>201</c> with the order's <c>Location</c>.</summary>
    public async Task<OrderView> CreateOrderAsync(object body, string? key = null)
    {
        using var response = await PostOrderAsync(body, key);
        var order = await ExpectAsync<OrderView>(response, HttpStatusCode.Created);
        Assert.Equal($"/api/orders/{order.OrderId}", response.Headers.Location!.OriginalString);
        return order;
    }

    /// <summary><c>GET /api/orders/{orderId}</c>, expecting <c>200</c>.</summary>
    public async Task<OrderView> GetOrderAsync(string orderId)
    {
        using var response = await client.GetAsync($"/api/orders/{orderId}");
        return await ExpectAsync<OrderView>(response, HttpStatusCode.OK);
    }

    /// <summary>The order's JSON as sent, for tests of the wire itself (every member, not only those <see cref="OrderView"/> names).</summary>
    public async Task<JsonObject> GetOrderJsonAsync(string orderId)
    {
        using var response = await client.GetAsync($"/api/orders/{orderId}");
        return await ExpectAsync<JsonObject>(response, HttpStatusCode.OK);
    }

    /// <summary><c>POST /api/orders/{orderId}/refunds</c>; no body refunds everything not yet refunded.</summary>
    public Task<HttpResponseMessage> RefundAsync(string orderId, object? body = null, string? key = null) =>
        PostAsync($"/api/orders/{orderId}/refunds", body, key);

    /// <summary><c>POST /api/orders/{orderId}/capture</c>.</summary>
    public Task<HttpResponseMessage> CaptureAsync(string orderId) => PostAsync($"/api/orders/{orderId}/capture", null);

    /// <summary><c>POST /api/orders/{orderId}/cancel</c>.</summary>
    public Task<HttpResponseMessage> CancelAsync(string orderId) => PostAsync($"/api/orders/{orderId}/cancel", null);

    /// <summary><c>POST /api/orders/{orderId}/upsells</c>.</summary>
    public Task<HttpResponseMessage> UpsellAsync(string orderId, object body, string? key = null) =>
        PostAsync($"/api/orders/{orderId}/upsells", body, key);

    /// <summary><c>POST /api/orders/{orderId}/recurring-charges</c>.</summary>
    public Task<HttpResponseMessage> RecurringChargeAsync(string orderId, object body, string? key = null) =>
        PostAsync($"/api/orders/{orderId}/recurring-charges", body, key);

    /// <summary><c>POST /api/customers</c>.</summary>
    public Task<HttpResponseMessage> CreateCustomerAsync(object body) => PostAsync("/api/customers", body);

    /// <summary><c>GET /api/customers/{id}</c>.</summary>
    public Task<HttpResponseMessage> GetCustomerAsync(string customerId) => client.GetAsync($"/api/customers/{customerId}");

    /// <summary><c>DELETE /api/customers/{id}</c>.</summary>
    public Task<HttpResponseMessage> DeleteCustomerAsync(string customerId) => client.DeleteAsync($"/api/customers/{customerId}");

    /// <summary>
    /// A POST with a JSON body: a <see cref="string"/> is sent as it is (a test of exact bytes), anything else serialized as
    /// <see cref="JsonContent"/> does; <c>null</c> sends no body.
    /// </summary>
    public async Task<HttpResponseMessage> PostAsync(string path, object? body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = body switch
            {
                null => null,
                string text => new StringContent(text, System.Text.Encoding.UTF8, "application/json"),
                _ => JsonContent.Create(body, body.GetType()),
            },
        };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The body read as <typeparamref name="T"/> with the app's JSON options.</summary>
    public async Task<T> ReadAsync<T>(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    /// <summary>Asserts the status (naming the body when it differs) and reads the body as <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, Json)!;
    }

    /// <summary><see cref="ExpectAsync{T}(HttpResponseMessage, HttpStatusCode)"/> of a request still being sent.</summary>
    public async Task<T> ExpectAsync<T>(Task<HttpResponseMessage> sending, HttpStatusCode expected)
    {
        using var response = await sending;
        return await ExpectAsync<T>(response, expected);
    }
}
