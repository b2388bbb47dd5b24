namespace Chat.Tests.Faults;

/// <summary>The answer to one send: when it went out (on the test's clock), how long the answer took, and the id of an <c>ack</c> or the code of an error.</summary>
sealed record TimedAnswer(TimeSpan Sent, TimeSpan Latency, Guid? Id, string? Code)
{
    public TimeSpan Answered => Sent + Latency;
}
