using Payments.Core.Money;

namespace Payments.Core.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData("49.90", "CHF", 4990)]
    [InlineData("49.9", "CHF", 4990)]
    [InlineData("5", "CHF", 500)]
    [InlineData("0.01", "CHF", 1)]
    [InlineData("1000", "JPY", 1000)]
    [InlineData("1.234", "KWD", 1234)]
    [InlineData("0", "EUR", 0)]
    public void Parses_plain_decimal_strings_into_minor_units(string text, string currency, long minor)
    {
        Assert.True(Money.Money.TryParse(text, Currency.FromCode(currency), out var money, out var error), error);
        Assert.Equal(minor, money.Minor);
        Assert.Equal(currency, money.Currency.Code);
    }

    [Theory]
    [InlineData("49.901", "CHF")] // over-precise
    [InlineData("1.5", "JPY")] // JPY has no minor unit
    [InlineData("-1.00", "CHF")]
    [InlineData("1e3", "CHF")]
    [InlineData(" 1.00", "CHF")]
    [InlineData("1,00", "CHF")]
    [InlineData("1.", "CHF")]
    [InlineData(".5", "CHF")]
    [InlineData("01.00", "CHF")]
    [InlineData("+1", "CHF")]
    [InlineData("", "CHF")]
    [InlineData("١٢", "CHF")] // non-ASCII digits
    [InlineData("99999999999999999999", "CHF")]
    [InlineData("100000000001", "CHF")] // above the 10^13 minor-unit ceiling
    public void Rejects_anything_but_a_plain_amount_in_the_currency_precision(string text, string currency)
    {
        Assert.False(Money.Money.TryParse(text, Currency.FromCode(currency), out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData(4990, 2, "49.90")]
    [InlineData(5, 2, "0.05")]
    [InlineData(-250, 2, "-2.50")]
    [InlineData(1000, 0, "1000")]
    [InlineData(1234, 3, "1.234")]
    public void Formats_minor_units_with_the_currency_exponent(long minor, int exponent, string expected) =>
        Assert.Equal(expected, Money.Money.FormatMinor(minor, exponent));

    [Fact]
    public void Negative_amounts_parse_only_when_allowed()
    {
        Assert.True(Money.Money.TryParseMinor("-5.00", 2, allowNegative: true, out var minor, out _));
        Assert.Equal(-500, minor);
        Assert.False(Money.Money.TryParseMinor("-5.00", 2, allowNegative: false, out _, out _));
    }

    [Theory]
    [InlineData("chf")]
    [InlineData("XXX")]
    [InlineData("CH")]
    [InlineData(null)]
    public void Unknown_or_lower_case_currency_codes_are_refused(string? code) =>
        Assert.False(Currency.TryFromCode(code, out _));

    [Fact]
    public void Currency_exponents_follow_ISO_4217()
    {
        Assert.Equal(2, Currency.FromCode("CHF").Exponent);
        Assert.Equal(0, Currency.FromCode("JPY").Exponent);
        Assert.Equal(3, Currency.FromCode("BHD").Exponent);
    }
}
