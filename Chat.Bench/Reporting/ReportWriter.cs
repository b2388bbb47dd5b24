using System.Text.Json;

namespace Chat.Bench.Reporting;

/// <summary>Writes <c>report.md</c>, <c>report.json</c> and <c>chart.svg</c> to the run's folder and copies them to <c>latest/</c>.</summary>
public static class ReportWriter
{
    public static readonly string[] Files = ["report.md", "report.json", "chart.svg"];

    public static void Write(BenchReport report, string runDirectory, string latestDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(Path.Combine(runDirectory, "report.md"), MarkdownReport.Render(report));
        File.WriteAllText(Path.Combine(runDirectory, "report.json"), JsonSerializer.Serialize(report, ReportJsonContext.Default.BenchReport));
        File.WriteAllText(Path.Combine(runDirectory, "chart.svg"), SvgChart.Render(report));

        Directory.CreateDirectory(latestDirectory);
        foreach (var file in Files)
        {
            File.Copy(Path.Combine(runDirectory, file), Path.Combine(latestDirectory, file), overwrite: true);
        }
    }
}
