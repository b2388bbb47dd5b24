namespace Chat.Contracts;

/// <summary>The names and limits of PROTOCOL.md, shared by every service so they can never disagree.</summary>
public static class ChatRules
{
    public const string DefaultRoom = "lobby";
    public const int MaxUserLength = 32;
    public const int MaxRoomLength = 64;
    public const int MaxTextLength = 4000;
    public const int MaxFrameBytes = 16 * 1024;
    public const int MaxRoomsPerConnection = 100;
    public const int GuestSuffixLength = 6;

    /// <summary>1–32 characters of <c>A-Z a-z 0-9 _ . -</c>.</summary>
    public static bool IsValidUser(ReadOnlySpan<char> user) => IsName(user, MaxUserLength);

    /// <summary>1–64 characters of <c>A-Z a-z 0-9 _ . -</c>, case-sensitive.</summary>
    public static bool IsValidRoom(ReadOnlySpan<char> room) => IsName(room, MaxRoomLength);

    /// <summary>1–4000 UTF-16 code units, not only whitespace. Returns <see langword="null"/> when valid, else the reason.</summary>
    public static string? ValidateText(string? text) => text switch
    {
        null or "" => "text is empty",
        { Length: > MaxTextLength } => $"text is longer than {MaxTextLength} characters",
        _ when string.IsNullOrWhiteSpace(text) => "text is only whitespace",
        _ => null,
    };

    /// <summary>The reason a user name is refused, or <see langword="null"/> when it is valid.</summary>
    public static string? ValidateUser(string user) => user.Length switch
    {
        0 => "user is empty",
        > MaxUserLength => $"user is longer than {MaxUserLength} characters",
        _ when !IsValidUser(user) => "user may contain only A-Z a-z 0-9 _ . -",
        _ => null,
    };

    /// <summary>The reason a room name is refused, or <see langword="null"/> when it is valid.</summary>
    public static string? ValidateRoom(string? room) => room?.Length switch
    {
        null or 0 => "room is empty",
        > MaxRoomLength => $"room is longer than {MaxRoomLength} characters",
        _ when !IsValidRoom(room) => "room may contain only A-Z a-z 0-9 _ . -",
        _ => null,
    };

    /// <summary>A guest name: <c>guest-</c> and six random characters.</summary>
    public static string NewGuestName()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return "guest-" + System.Security.Cryptography.RandomNumberGenerator.GetString(alphabet, GuestSuffixLength);
    }

    static bool IsName(ReadOnlySpan<char> value, int maxLength)
    {
        if (value.IsEmpty || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
