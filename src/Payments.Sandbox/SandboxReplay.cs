using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Payments.Sandbox;

/// <summary>
/// The <c>Idempotency-Key</c> store the simulators share: for each key, the first request (its kind and the SHA-256
/// of its body) and, once handled, the answer it got. Whether the same key again replays that answer or is refused,
/// and in which error format, is the provider's documented rule, so it stays with the provider. Keys are remembered
/// for <paramref name="window"/> (Mangopay: 24 h; Twisto documents no limit, so for as long as the sandbox runs).
/// Thread-safe.
/// </summary>
/// <typeparam name="TAnswer">What the provider keeps of an answer (at least its status and body).</typeparam>
public sealed class SandboxReplay<TAnswer>(TimeProvider clock, TimeSpan window)
    where TAnswer : class
{
    private readonly ConcurrentDictionary<string, SandboxReplayEntry<TAnswer>> _entries = new(StringComparer.Ordinal);

    /// <summary>The entry for <paramref name="key"/> while it is remembered, answered or still in progress; null otherwise.</summary>
    public SandboxReplayEntry<TAnswer>? Find(string key) =>
        _entries.TryGetValue(key, out var entry) && IsLive(entry, clock.GetUtcNow()) ? entry : null;

    /// <summary>
    /// Claims <paramref name="key"/> for a request. Null: it is new (or its entry ran out), go on and
    /// <see cref="Complete"/> afterwards. Otherwise the entry already there (perhaps still in progress).
    /// </summary>
    public SandboxReplayEntry<TAnswer>? Claim(string key, string request, byte[] body)
    {
        var now = clock.GetUtcNow();
        var entry = new SandboxReplayEntry<TAnswer>(request, SHA256.HashData(body), now);
        while (true)
        {
            if (_entries.TryAdd(key, entry))
            {
                return null;
            }

            if (_entries.TryGetValue(key, out var existing))
            {
                if (IsLive(existing, now))
                {
                    return existing;
                }

                _entries.TryRemove(new KeyValuePair<string, SandboxReplayEntry<TAnswer>>(key, existing));
            }
        }
    }

    /// <summary>Keeps <paramref name="answer"/> as the answer to the request that claimed <paramref name="key"/> (the first one wins).</summary>
    public void Complete(string key, TAnswer answer)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Complete(answer);
        }
    }

    private bool IsLive(SandboxReplayEntry<TAnswer> entry, DateTimeOffset now) => now - entry.At < window;
}

/// <summary>The first request made with an idempotency key, and (once done) the answer it got.</summary>
public sealed class SandboxReplayEntry<TAnswer>(string request, byte[] bodyHash, DateTimeOffset at)
    where TAnswer : class
{
    private readonly Lock _lock = new();
    private TAnswer? _answer;

    public DateTimeOffset At { get; } = at;

    /// <summary>The answer kept for the key, or null while its first request is still being handled.</summary>
    public TAnswer? Answer
    {
        get
        {
            lock (_lock)
            {
                return _answer;
            }
        }
    }

    /// <summary>Whether another request is the same as the first: the same kind (say, method and path) and body.</summary>
    public bool IsSameRequest(string otherRequest, byte[] body) =>
        otherRequest == request && CryptographicOperations.FixedTimeEquals(bodyHash, SHA256.HashData(body));

    internal void Complete(TAnswer answer)
    {
        lock (_lock)
        {
            _answer ??= answer;
        }
    }
}
