namespace Chat.Tests.Unit;

public sealed class ChatRulesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("alice")]
    [InlineData("A-Z_a.z-0.9")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")] // 32
    public void Valid_user_names_are_accepted(string user) => Assert.Null(ChatRules.ValidateUser(user));

    [Theory]
    [InlineData("", "user is empty")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "user is longer than 32 characters")] // 33
    [InlineData("al ice", "user may contain only A-Z a-z 0-9 _ . -")]
    [InlineData("alice!", "user may contain only A-Z a-z 0-9 _ . -")]
    [InlineData("ålice", "user may contain only A-Z a-z 0-9 _ . -")]
    public void Invalid_user_names_are_refused_with_a_reason(string user, string reason) => Assert.Equal(reason, ChatRules.ValidateUser(user));

    [Fact]
    public void A_room_may_have_64_characters_but_not_65()
    {
        Assert.Null(ChatRules.ValidateRoom(new string('r', 64)));
        Assert.Equal("room is longer than 64 characters", ChatRules.ValidateRoom(new string('r', 65)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gen eral")]
    [InlineData("général")]
    [InlineData("a/b")]
    public void Invalid_rooms_are_refused(string? room) => Assert.NotNull(ChatRules.ValidateRoom(room));

    [Fact]
    public void Rooms_are_case_sensitive_names() => Assert.True(ChatRules.IsValidRoom("General") && ChatRules.IsValidRoom("general"));

    [Fact]
    public void Text_is_measured_in_utf16_code_units()
    {
        var emoji = "😀"; // two UTF-16 code units
        Assert.Null(ChatRules.ValidateText(string.Concat(Enumerable.Repeat(emoji, 2000)))); // 4000 units
        Assert.NotNull(ChatRules.ValidateText(string.Concat(Enumerable.Repeat(emoji, 2000)) + "x")); // 4001 units
        Assert.Null(ChatRules.ValidateText(new string('x', 4000)));
        Assert.Equal("text is longer than 4000 characters", ChatRules.ValidateText(new string('x', 4001)));
    }

    [Theory]
    [InlineData(null, "text is empty")]
    [InlineData("", "text is empty")]
    [InlineData("   ", "text is only whitespace")]
    [InlineData("\t\n\u00A0", "text is only whitespace")]
    public void Empty_or_whitespace_text_is_refused(string? text, string reason) => Assert.Equal(reason, ChatRules.ValidateText(text));

    [Fact]
    public void Guest_names_are_guest_and_six_characters_and_valid_user_names()
    {
        var names = Enumerable.Range(0, 100).Select(_ => ChatRules.NewGuestName()).ToList();
        Assert.All(names, n => Assert.Matches("^guest-[a-z0-9]{6}$", n));
        Assert.All(names, n => Assert.Null(ChatRules.ValidateUser(n)));
        Assert.True(names.Distinct().Count() > 95);
    }
}
