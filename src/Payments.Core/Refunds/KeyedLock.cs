namespace Payments.Core.Refunds;

/// <summary>One async lock per key (an order id), held only while someone uses it.</summary>
internal sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The lock for <paramref name="key"/>, or null when it was not free within <paramref name="wait"/>.</summary>
    public async Task<IDisposable?> TryAcquireAsync(string key, TimeSpan wait, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                _entries[key] = entry = new Entry();
            }

            entry.Users++;
        }

        var held = false;
        try
        {
            held = await entry.Gate.WaitAsync(wait, cancellationToken);
            return held ? new Holder(this, key, entry) : null;
        }
        finally
        {
            if (!held)
            {
                Leave(key, entry);
            }
        }
    }

    private void Leave(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users { get; set; }
    }

    private sealed class Holder(KeyedLock owner, string key, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Gate.Release();
                owner.Leave(key, entry);
            }
        }
    }
}
