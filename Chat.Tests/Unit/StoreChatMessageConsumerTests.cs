using Chat.History;
using Chat.History.Diagnostics;
using Chat.History.Messaging;
using Chat.History.Storage;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Unit;

/// <summary>History's consumer on MassTransit's in-memory test harness, writing to a real SQLite file through the group commit.</summary>
public sealed class StoreChatMessageConsumerTests : IAsyncLifetime
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "chat-tests", "harness-" + Guid.NewGuid().ToString("N"));
    ServiceProvider _services = null!;
    ITestHarness _harness = null!;
    BatchingMessageWriter _writer = null!;

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    IMessageStore Store => _services.GetRequiredService<IMessageStore>();

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(new HistoryOptions { DatabasePath = Path.Combine(_directory, "history.db") }))
            .AddSingleton<HistoryTelemetry>()
            .AddSingleton<IMessageStore>(_ => new SqliteMessageStore(Path.Combine(_directory, "history.db")))
            .AddSingleton<BatchingMessageWriter>()
            .AddMassTransitTestHarness(bus => bus.AddConsumer<StoreChatMessageConsumer, StoreChatMessageConsumerDefinition>())
            .BuildServiceProvider(validateScopes: true);
        _writer = _services.GetRequiredService<BatchingMessageWriter>();
        await _writer.StartAsync(Ct);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start().WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop().WaitAsync(TimeSpan.FromSeconds(30));
        await _writer.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_published_message_is_stored_before_it_is_acknowledged()
    {
        var message = TestConnections.Message("stored", "kept");

        await _harness.Bus.Publish(message, Ct);

        Assert.True(await _harness.Consumed.Any<ChatMessage>(m => m.Context.Message.Id == message.Id && m.Exception is null, Ct));
        Assert.Equal(message.Id, Assert.Single(await Store.GetAsync("stored", new MessageQuery(50), Ct)).Id);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_is_stored_once()
    {
        var message = TestConnections.Message("twice", "once");

        await _harness.Bus.Publish(message, Ct);
        await _harness.Bus.Publish(message, Ct);

        var consumed = _harness.Consumed.SelectAsync<ChatMessage>(m => m.Context.Message.Id == message.Id, Ct);
        Assert.Equal(2, await System.Linq.AsyncEnumerable.Take(consumed, 2).CountAsync(Ct));
        Assert.Single(await Store.GetAsync("twice", new MessageQuery(50), Ct));
    }

    [Fact]
    public async Task An_event_that_breaks_the_rules_faults_once_without_a_retry_and_is_not_stored()
    {
        var invalid = TestConnections.Message("no room!", "refused");

        await _harness.Bus.Publish(invalid, Ct);

        Assert.True(await _harness.Consumed.Any<ChatMessage>(m => m.Context.Message.Id == invalid.Id && m.Exception is InvalidChatMessageException, Ct));
        Assert.Single(await _harness.Consumed.SelectAsync<ChatMessage>(m => m.Context.Message.Id == invalid.Id, Ct).ToListAsync(Ct));
        Assert.Empty(await Store.GetAsync("no room!", new MessageQuery(50), Ct));
    }
}
