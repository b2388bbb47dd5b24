using Chat.Gateway.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using BrokerRefusal = RabbitMQ.Client.Exceptions.PublishException;

namespace Chat.Tests.Unit;

public sealed class RefusedPublishRecoveryTests
{
    /// <summary>Counts the recovery's attempts to reach the bus (each one a reopening); it finds none here.</summary>
    sealed class CountingServices : IServiceProvider
    {
        public int Requests { get; private set; }

        public object? GetService(Type serviceType)
        {
            Requests++;
            return null;
        }
    }

    static readonly Exception Nack = new RabbitMqConnectionException("BasicPublishAsync failed", new BrokerRefusal(7, isReturn: false));

    readonly FakeTimeProvider _time = new();
    readonly CountingServices _services = new();

    RefusedPublishRecovery NewRecovery() => new(_services, _time, NullLogger<RefusedPublishRecovery>.Instance);

    [Fact]
    public void A_nack_wrapped_by_MassTransit_is_a_refusal_and_a_return_or_a_timeout_is_not()
    {
        Assert.True(RefusedPublishRecovery.IsRefusal(Nack));
        Assert.False(RefusedPublishRecovery.IsRefusal(new MessageReturnedException("returned", new BrokerRefusal(8, isReturn: true))));
        Assert.False(RefusedPublishRecovery.IsRefusal(new TimeoutException()));
        Assert.False(RefusedPublishRecovery.IsRefusal(new RabbitMqConnectionException("Connect failed")));
    }

    [Fact]
    public async Task Refusals_reopen_the_connection_at_most_once_per_interval()
    {
        var recovery = NewRecovery();

        await recovery.PublishFault<ChatMessage>(null!, Nack);
        await recovery.PublishFault<ChatMessage>(null!, Nack);
        Assert.Equal(1, _services.Requests);

        _time.Advance(RefusedPublishRecovery.MinimumInterval - TimeSpan.FromMilliseconds(1));
        await recovery.PublishFault<ChatMessage>(null!, Nack);
        Assert.Equal(1, _services.Requests);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await recovery.PublishFault<ChatMessage>(null!, Nack);
        Assert.Equal(2, _services.Requests);
    }

    [Fact]
    public async Task Faults_that_are_not_refusals_reopen_nothing()
    {
        var recovery = NewRecovery();

        await recovery.PublishFault<ChatMessage>(null!, new TimeoutException());
        await recovery.PublishFault<ChatMessage>(null!, new MessageReturnedException("returned", new BrokerRefusal(8, isReturn: true)));
        Assert.Equal(0, _services.Requests);
    }
}
