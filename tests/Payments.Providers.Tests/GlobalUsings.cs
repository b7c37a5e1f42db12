// What most provider tests start from: our order and provider ports, HTTP, DI and the scripted HTTP handler.
global using System.Net;
global using System.Text.Json.Nodes;
global using Microsoft.Extensions.DependencyInjection;
global using Payments.Core.Orders;
global using Payments.Core.Providers;
global using Payments.Testing.Http;
