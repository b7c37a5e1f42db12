using Payments.Host;

var app = PaymentsApp.Build(args);
app.Run();

/// <summary>Entry point; composition lives in <see cref="PaymentsApp"/>.</summary>
public partial class Program;
