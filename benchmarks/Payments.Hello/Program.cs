// Hello world: what ASP.NET Core itself costs to start (scripts/bench-startup.sh compares the handler with it).
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "Hello World!");
app.Run();
