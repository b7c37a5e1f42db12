// Every simulator file answers HTTP with JSON through the shared plumbing; these are the namespaces they all start from.
global using System.Text.Json;
global using System.Text.Json.Nodes;
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Mvc;
global using static Payments.Sandbox.SandboxHttp;
global using static Payments.Sandbox.SandboxPages;
