namespace Payments.Storage.Tests;

/// <summary>One Azurite for every integration test class of this assembly.</summary>
[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
