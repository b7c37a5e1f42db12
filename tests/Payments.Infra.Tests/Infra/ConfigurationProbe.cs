using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Host;

namespace Payments.Infra.Tests.Infra;

/// <summary>
/// Finds the keys the app's options classes bind, whatever their properties are called: builds the real
/// handler (<see cref="PaymentsApp.Build"/>, without starting it) over a configuration source that has every
/// manifest key (without values, so that each section exists and its provider registers), then builds
/// every options type of a Payments.* assembly, each registered name included, while recording every key
/// the configuration is asked for. The binder asks for every property of a section that has children, so a
/// new property (<c>Providers:Next:Foo</c>) shows up here even though nothing sets it yet.
/// Limits: keys read only at request time, or nested objects with no key under them in the manifest, are not
/// seen here (the source scan covers literal keys).
/// </summary>
public static class ConfigurationProbe
{
    public sealed record Result(IReadOnlyList<string> Keys, IReadOnlyList<string> OptionsTypes, IReadOnlyList<string> Notes);

    public static Result Run(AppSettingsManifest manifest)
    {
        var seeded = manifest.Settings
            .Where(s => !s.Key.Contains(ConfigKey.Any, StringComparison.Ordinal))
            .Select(s => s.Key.Replace(ConfigKey.Index, "0", StringComparison.Ordinal))
            .Where(k => !k.Equals("Sandbox:Enabled", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var source = new RecordingSource(seeded);
        IServiceCollection? services = null;
        var notes = new List<string>();

        WebApplication app;
        try
        {
            app = PaymentsApp.Build([], builder =>
            {
                ((IConfigurationBuilder)builder.Configuration).Add(source);
                services = builder.Services;
            });
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException or ArgumentException or FormatException)
        {
            throw new InvalidOperationException(
                "The configuration probe could not build the app (PaymentsApp.Build) over a configuration that has every key of "
                + "infra-bicep/app-settings.json without a value. Registration code should not need values to register; "
                + $"the error was: {e.GetType().Name}: {e.Message}", e);
        }

        try
        {
            var optionTypes = OptionTypes(services!).ToList();
            source.Provider!.Recording = true;
            foreach (var type in optionTypes)
            {
                foreach (var name in OptionNames(app.Services, type))
                {
                    try
                    {
                        // The factory binds anew on every call; the monitor's cache may already hold the options, built
                        // before recording began by the start-up warm-up's validation on its own thread.
                        var factory = app.Services.GetRequiredService(typeof(IOptionsFactory<>).MakeGenericType(type));
                        factory.GetType().GetMethod(nameof(IOptionsFactory<object>.Create), [typeof(string)])!.Invoke(factory, [name]);
                    }
                    catch (TargetInvocationException e) when (e.InnerException is OptionsValidationException)
                    {
                        // Expected: the seeded keys have no values. Binding (what we record) ran before validation.
                    }
                    catch (TargetInvocationException e)
                    {
                        notes.Add($"{type.Name} '{name}': {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
                    }
                }
            }

            source.Provider.Recording = false;
            return new Result(
                source.Provider.Reads.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList(),
                optionTypes.Select(t => t.FullName ?? t.Name).ToList(),
                notes);
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>Options types (configured, post-configured or validated) declared in the app's own assemblies.</summary>
    private static IEnumerable<Type> OptionTypes(IServiceCollection services)
    {
        var generic = new[] { typeof(IConfigureOptions<>), typeof(IPostConfigureOptions<>), typeof(IValidateOptions<>) };
        return services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && generic.Contains(t.GetGenericTypeDefinition()))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Assembly.GetName().Name?.StartsWith("Payments.", StringComparison.Ordinal) == true)
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
    }

    /// <summary>The default name plus every name a configure/post-configure/validate registration carries.</summary>
    private static HashSet<string> OptionNames(IServiceProvider provider, Type type)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { Options.DefaultName };
        foreach (var generic in new[] { typeof(IConfigureOptions<>), typeof(IPostConfigureOptions<>), typeof(IValidateOptions<>) })
        {
            IEnumerable<object?> instances;
            try
            {
                instances = provider.GetServices(generic.MakeGenericType(type));
            }
            catch (InvalidOperationException)
            {
                continue;
            }

            foreach (var instance in instances)
            {
                if (instance?.GetType().GetProperty("Name")?.GetValue(instance) is string name)
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private sealed class RecordingSource(IEnumerable<string> keys) : IConfigurationSource
    {
        public RecordingProvider? Provider { get; private set; }

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider ??= new RecordingProvider(keys);
    }

    private sealed class RecordingProvider : ConfigurationProvider
    {
        public RecordingProvider(IEnumerable<string> keys)
        {
            foreach (var key in keys)
            {
                Data[key] = null; // the key exists (so its section does), without a value
            }
        }

        public bool Recording { get; set; }

        public ConcurrentDictionary<string, byte> Reads { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override bool TryGet(string key, out string? value)
        {
            if (Recording)
            {
                Reads.TryAdd(key, 0);
            }

            return base.TryGet(key, out value);
        }
    }
}
