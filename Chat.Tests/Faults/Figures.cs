namespace Chat.Tests.Faults;

/// <summary>
/// The figures each fault test reached (messages under load, acknowledged against stored), written to the test
/// output and appended to <c>reliability-figures.txt</c> beside the tests, for the README's reliability section.
/// </summary>
static class Figures
{
    static readonly Lock Gate = new();

    public static void Record(ITestOutputHelper output, string test, string figures)
    {
        var line = $"{DateTime.UtcNow:u} {test}: {figures}";
        output.WriteLine(line);
        lock (Gate)
        {
            File.AppendAllLines(Path.Combine(AppContext.BaseDirectory, "reliability-figures.txt"), [line]);
        }
    }
}
