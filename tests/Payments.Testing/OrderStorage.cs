using Azure.Data.Tables;
using Payments.Storage.Orders;
using Payments.Storage.Tables;

namespace Payments.Testing;

/// <summary>A fresh order store, its outbox and lookups on their own tables, and the client behind them.</summary>
public sealed record OrderStorage(TableOrderStore Store, TableOutbox Outbox, TableOrderLookups Lookups, TableServiceClient Client, OrderStorageOptions Options);
