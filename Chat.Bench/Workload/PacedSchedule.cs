namespace Chat.Bench.Workload;

/// <summary>
/// When each message of a paced round is due: every client sends <see cref="Rate"/> messages a second, client
/// <c>i</c>'s schedule offset by <c>i / (N · R)</c> seconds so that the clients do not all send in the same instant.
/// Merged over the clients, the sends are evenly spaced <c>1 / (N · R)</c> apart, and the <c>j</c>-th of them is client
/// <c>j mod N</c>'s message <c>j div N</c>: one pacer walks them in time order.
/// </summary>
/// <param name="Clients">N, the clients that send.</param>
/// <param name="Rate">R, messages a second each client sends.</param>
/// <param name="MessagesPerClient">Messages each client sends.</param>
public sealed record PacedSchedule(int Clients, double Rate, int MessagesPerClient)
{
    /// <summary>Messages of the whole round.</summary>
    public long Count => (long)Clients * MessagesPerClient;

    /// <summary>Messages a second offered by all clients together.</summary>
    public double OfferedPerSecond => Clients * Rate;

    /// <summary>The client and sequence of the <paramref name="index"/>-th send in time order.</summary>
    public (int Client, int Sequence) At(long index) => ((int)(index % Clients), (int)(index / Clients));

    /// <summary>How long after the start the <paramref name="index"/>-th send is due, in ticks of <paramref name="frequency"/> a second.</summary>
    public long Offset(long index, long frequency) => (long)Math.Round(index * (double)frequency / OfferedPerSecond);

    /// <summary>When client <paramref name="client"/>'s message <paramref name="sequence"/> is due, as a timestamp of the same clock as <paramref name="start"/>.</summary>
    public long Due(long start, int client, int sequence, long frequency) => start + Offset((long)sequence * Clients + client, frequency);
}
