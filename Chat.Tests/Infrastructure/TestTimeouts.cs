namespace Chat.Tests.Infrastructure;

/// <summary>Bounds for every wait on the network, so a broken system fails a test instead of hanging the suite.</summary>
static class TestTimeouts
{
    /// <summary>Starting the whole app: broker, history, two gateways.</summary>
    public static readonly TimeSpan AppStart = TimeSpan.FromMinutes(3);

    /// <summary>Stopping it.</summary>
    public static readonly TimeSpan AppStop = TimeSpan.FromSeconds(60);

    /// <summary>One frame, one HTTP call, one message through the broker.</summary>
    public static readonly TimeSpan Network = TimeSpan.FromSeconds(15);

    /// <summary>Something that takes several round trips or a restart.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);
}
