namespace Chat.Tests.Infrastructure;

/// <summary>Room and user names of one test, so tests never see each other's data.</summary>
static class Names
{
    public static string Room(string prefix = "room") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(64, prefix.Length + 33)];

    public static string User(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(32, prefix.Length + 9)];
}
