namespace Chat.Bench.Reporting;

/// <summary>The tables the console prints at the end of a run.</summary>
public static class ConsoleSummary
{
    public static void Write(TextWriter console, BenchReport report)
    {
        if (report.Summaries.Any(s => !s.Paced))
        {
            console.WriteLine();
            console.Write(ReportTables.Results(report));
        }

        if (report.Ratios.Count > 0)
        {
            console.WriteLine();
            console.Write(ReportTables.Ratios(report));
        }

        foreach (var limit in report.Limits)
        {
            console.WriteLine();
            console.WriteLine(ReportTables.LimitSummary(report, limit));
        }

        if (report.Summaries.Any(s => s.Paced))
        {
            console.WriteLine();
            console.Write(PacedTables.Loads(report));
            console.WriteLine();
            console.Write(PacedTables.Knees(report));
            foreach (var line in PacedTables.KneeSummary(report))
            {
                console.WriteLine(line);
            }
        }

        if (report.Idle is not null)
        {
            console.WriteLine();
            console.WriteLine(ReportTables.IdleSummary(report));
        }
    }
}
