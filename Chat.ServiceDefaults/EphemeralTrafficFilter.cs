using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps the gateways' presence and typing chatter (heartbeats every few seconds) out of the exported traces, so the
/// dashboard shows one trace per chat message: MassTransit's spans of those events are marked not recorded before any
/// exporter sees them.
/// </summary>
sealed class EphemeralTrafficFilter : BaseProcessor<Activity>
{
    /// <summary>What the span names of that traffic contain: its exchanges and the instance queues that consume it.</summary>
    static readonly string[] Markers = ["Chat.Contracts:PresenceUpdate", "Chat.Contracts:TypingIndicator", "chat-presence-", "chat-typing-"];

    public override void OnEnd(Activity data)
    {
        if (data.Source.Name == "MassTransit" && Markers.Any(m => data.DisplayName.Contains(m, StringComparison.Ordinal)))
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
