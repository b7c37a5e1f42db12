using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Storage.Tables;

/// <summary>
/// Counts the HTTP requests the app's <c>TableServiceClient</c> sends (every attempt, retries included: each is a round
/// trip), attributed to the unit of work that caused them, e.g. one inbound HTTP request. A diagnostic for benchmarks
/// (<c>scripts/bench-callbacks.sh</c>), so the round trips per shopper return or per create are counted, not estimated.
/// Registered only when the host's diagnostics setting is on; then <see cref="Policy"/> sits in the client's pipeline and
/// costs one <see cref="Interlocked"/> add per request.
/// </summary>
/// <remarks>
/// Attribution goes through an <see cref="AsyncLocal{T}"/>: a <see cref="Scope"/> begun for a request is seen by every
/// storage call made under it, including work the request started and did not await (it inherits the execution
/// context), so a scope's <see cref="Scope.Count"/> keeps growing after the response; <see cref="Scope.MarkResponded"/>
/// records how many had been made by then. Bounded: each kind remembers its last <see cref="ScopesPerKind"/> scopes and
/// folds older ones into a running total (a folded scope's later requests are no longer seen: only after thousands of
/// newer scopes of the same kind).
/// </remarks>
public sealed class StorageRoundTrips
{
    /// <summary>Scopes remembered per kind before the oldest are folded into the kind's total.</summary>
    public const int ScopesPerKind = 4096;

    private static readonly AsyncLocal<Scope?> CurrentScope = new();
    private readonly ConcurrentDictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private long _unattributed;

    public StorageRoundTrips() => Policy = new CountingPolicy(this);

    /// <summary>The pipeline policy to add per retry (<see cref="HttpPipelinePosition.PerRetry"/>): one count per attempt.</summary>
    public HttpPipelinePolicy Policy { get; }

    /// <summary>The scope storage calls in this execution context count towards, if any.</summary>
    public static Scope? Current => CurrentScope.Value;

    /// <summary>
    /// Begins a scope of <paramref name="kind"/> (e.g. an endpoint name) for the current execution context and what it
    /// starts. Call it from the async method that runs the work: the scope ends for the caller when that method returns.
    /// </summary>
    public Scope Begin(string kind)
    {
        var bucket = _kinds.GetOrAdd(kind, static _ => new Kind());
        var scope = new Scope(bucket);
        bucket.Add(scope);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>What has been counted so far, per kind, and the requests made outside any scope (timers, start-up).</summary>
    public RoundTripSnapshot Snapshot() => new(
        Interlocked.Read(ref _unattributed),
        _kinds.ToDictionary(k => k.Key, k => k.Value.Snapshot(), StringComparer.Ordinal));

    private void Count()
    {
        if (CurrentScope.Value is { } scope)
        {
            Interlocked.Increment(ref scope.CountField);
        }
        else
        {
            Interlocked.Increment(ref _unattributed);
        }
    }

    /// <summary>The storage requests of one unit of work.</summary>
    public sealed class Scope
    {
        internal long CountField;
        private readonly Kind _kind;
        private int _responded;

        internal Scope(Kind kind) => _kind = kind;

        /// <summary>Storage requests made under this scope so far (background work included).</summary>
        public long Count => Interlocked.Read(ref CountField);

        /// <summary>Records <see cref="Count"/> as the requests made before the response (once; later calls return the first value's count).</summary>
        public long MarkResponded()
        {
            var count = Count;
            if (Interlocked.Exchange(ref _responded, 1) == 0)
            {
                _kind.Responded(count);
            }

            return count;
        }
    }

    internal sealed class Kind
    {
        private readonly ConcurrentQueue<Scope> _recent = new();
        private long _scopes;
        private long _responded;
        private long _beforeResponse;
        private long _folded;

        // The queue's length, kept here: ConcurrentQueue.Count takes a lock across its segments, and every request of a
        // benchmark run contended on it (5 % of the app's samples in a profile).
        private int _recentCount;

        public void Add(Scope scope)
        {
            Interlocked.Increment(ref _scopes);
            _recent.Enqueue(scope);
            if (Interlocked.Increment(ref _recentCount) > ScopesPerKind && _recent.TryDequeue(out var old))
            {
                Interlocked.Decrement(ref _recentCount);
                Interlocked.Add(ref _folded, old.Count);
            }
        }

        public void Responded(long count)
        {
            Interlocked.Add(ref _beforeResponse, count);
            Interlocked.Increment(ref _responded);
        }

        public RoundTripCounts Snapshot() => new(
            Interlocked.Read(ref _scopes),
            Interlocked.Read(ref _responded),
            Interlocked.Read(ref _beforeResponse),
            Interlocked.Read(ref _folded) + _recent.Sum(s => s.Count));
    }

    /// <summary>Before each attempt is sent: one count, to the current scope or to the unattributed total.</summary>
    private sealed class CountingPolicy(StorageRoundTrips owner) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => owner.Count();
    }
}

/// <summary>Counts of one kind: scopes begun, scopes that responded, storage requests before their responses, and in all.</summary>
public sealed record RoundTripCounts(long Scopes, long Responded, long BeforeResponse, long Total);

/// <summary>A <see cref="StorageRoundTrips.Snapshot"/>: per kind, and the requests outside any scope.</summary>
public sealed record RoundTripSnapshot(long Unattributed, IReadOnlyDictionary<string, RoundTripCounts> Kinds);
