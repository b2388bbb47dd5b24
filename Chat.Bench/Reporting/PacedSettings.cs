namespace Chat.Bench.Reporting;

/// <summary>The sizes of the paced scenarios: talk-paced's rate and sweep of clients, and the chat scenario's.</summary>
public sealed record PacedSettings(double Rate, IReadOnlyList<int> Sweep, int ChatConnections, int ChatRoomSize, double ChatRate, int ChatDurationSeconds);
