using Payments.Messaging.ServiceBus;

namespace Payments.Messaging.Tests.ServiceBus;

public class ServiceBusConnectionTests
{
    [Fact]
    public void Parses_a_namespace_connection_string()
    {
        var connection = ServiceBusConnection.Parse(
            "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc+def/ghi=");

        Assert.Equal(new Uri("https://contoso.servicebus.windows.net/"), connection.Endpoint);
        Assert.Equal("RootManageSharedAccessKey", connection.SharedAccessKeyName);
        Assert.Equal("abc+def/ghi=", connection.SharedAccessKey);
        Assert.Null(connection.EntityPath);
    }

    [Fact]
    public void Keys_are_case_insensitive_and_entity_path_is_kept()
    {
        var connection = ServiceBusConnection.Parse(
            " endpoint = sb://contoso.servicebus.windows.net ; sharedaccesskeyname=send;SHAREDACCESSKEY=k==;EntityPath=payment-events;TransportType=Amqp");

        Assert.Equal("send", connection.SharedAccessKeyName);
        Assert.Equal("k==", connection.SharedAccessKey);
        Assert.Equal("payment-events", connection.EntityPath);
    }

    [Fact]
    public void A_local_http_endpoint_keeps_its_port()
    {
        var connection = ServiceBusConnection.Parse("Endpoint=http://127.0.0.1:5123/;SharedAccessKeyName=a;SharedAccessKey=b");

        Assert.Equal(new Uri("http://127.0.0.1:5123/"), connection.Endpoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Endpoint=sb://contoso.servicebus.windows.net/")]
    [InlineData("SharedAccessKeyName=a;SharedAccessKey=secretkey")]
    [InlineData("Endpoint=ftp://x/;SharedAccessKeyName=a;SharedAccessKey=secretkey")]
    [InlineData("Endpoint=sb://localhost;SharedAccessKeyName=a;SharedAccessKey=secretkey;UseDevelopmentEmulator=true")]
    [InlineData("just garbage secretkey")]
    public void Bad_connection_strings_are_rejected_without_echoing_the_key(string text)
    {
        Assert.False(ServiceBusConnection.TryParse(text, out _, out var error));
        Assert.DoesNotContain("secretkey", error, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => ServiceBusConnection.Parse(text));
        Assert.DoesNotContain("secretkey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_the_key()
    {
        var connection = ServiceBusConnection.Parse("Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=topsecret");

        Assert.DoesNotContain("topsecret", connection.ToString(), StringComparison.Ordinal);
    }
}
