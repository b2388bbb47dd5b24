using System.Globalization;
using System.Net;
using System.Text;

namespace Chat.Bench.Reporting;

/// <summary>
/// The paced scenarios' part of <c>chart.svg</c>: for a sweep, latency against offered load, a curve per target (p99
/// solid, p50 dashed); for a scenario of one load, p50 and p99 as points per target; each with a line at the knee's bound.
/// </summary>
public static class PacedChart
{
    public const int PanelWidth = 520;
    public const int PanelHeight = 340;
    const int AxisLeft = 60, PlotTop = 40, PlotBottom = 260;
    const int PlotWidth = PanelWidth - AxisLeft - 20;

    static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["Chat"] = "#d62728",
        [Baselines.RawSocketServer.TargetName] = "#2ca02c",
        [Baselines.SignalRPeer.TargetName] = "#1f77b4",
    };

    /// <summary>The height the paced panels take (two to a row); 0 without paced scenarios.</summary>
    public static int Height(BenchReport report) => (report.Summaries.Where(s => s.Paced).Select(s => s.Scenario).Distinct().Count() + 1) / 2 * PanelHeight;

    /// <summary>Draws the panels from <paramref name="top"/> down.</summary>
    public static void Render(StringBuilder svg, BenchReport report, int top)
    {
        var scenarios = report.Summaries.Where(s => s.Paced).GroupBy(s => s.Scenario).ToList();
        for (var i = 0; i < scenarios.Count; i++)
        {
            var summaries = scenarios[i].ToList();
            svg.AppendLine(Invariant($"<g transform=\"translate({20 + i % 2 * (PanelWidth + 20)},{top + i / 2 * PanelHeight})\">"));
            var values = summaries.SelectMany(s => new[] { s.Latency.P50, s.Latency.P99 }).Append(Knee.LatencyBoundMilliseconds).Where(v => v > 0).ToList();
            var (low, high) = (Math.Floor(Math.Log10(values.Min())), Math.Ceiling(Math.Log10(values.Max())));
            high = Math.Max(high, low + 1);
            double Y(double ms) => ms <= 0 ? PlotBottom : PlotBottom - (Math.Log10(ms) - low) / (high - low) * (PlotBottom - PlotTop);

            var loads = summaries.Select(s => s.OfferedPerSecond).Distinct().Count();
            svg.AppendLine(Invariant($"<text x=\"0\" y=\"14\" font-weight=\"bold\">{Escape(loads > 1 ? $"{scenarios[i].Key}: latency against offered load (ms, log scale)" : $"{scenarios[i].Key}: latency at {TextTable.Count(summaries[0].OfferedPerSecond)} msg/s offered (ms, log scale)")}</text>"));
            for (var decade = low; decade <= high; decade++)
            {
                var y = Y(Math.Pow(10, decade));
                svg.AppendLine(Invariant($"<line x1=\"{AxisLeft}\" y1=\"{y:0.#}\" x2=\"{AxisLeft + PlotWidth}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
                svg.AppendLine(Invariant($"<text x=\"{AxisLeft - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#555\">{Escape(Math.Pow(10, decade).ToString(decade >= 0 ? "N0" : "0.###", CultureInfo.InvariantCulture))}</text>"));
            }

            var bound = Y(Knee.LatencyBoundMilliseconds);
            svg.AppendLine(Invariant($"<line x1=\"{AxisLeft}\" y1=\"{bound:0.#}\" x2=\"{AxisLeft + PlotWidth}\" y2=\"{bound:0.#}\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"2,3\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{AxisLeft + 4}\" y=\"{bound - 4:0.#}\" fill=\"#555\">{Knee.LatencyBoundMilliseconds:0} ms</text>"));
            svg.AppendLine(Invariant($"<line x1=\"{AxisLeft}\" y1=\"{PlotBottom}\" x2=\"{AxisLeft + PlotWidth}\" y2=\"{PlotBottom}\" stroke=\"#333\"/>"));
            if (loads > 1)
            {
                Curves(svg, summaries, Y);
            }
            else
            {
                Points(svg, summaries, Y);
            }

            Legend(svg, summaries.Select(s => s.Target).Distinct().ToList(), loads > 1);
            svg.AppendLine("</g>");
        }
    }

    static void Curves(StringBuilder svg, List<ScenarioSummary> summaries, Func<double, double> y)
    {
        var offered = summaries.Select(s => s.OfferedPerSecond).Distinct().Order().ToList();
        var xMax = offered[^1] * 1.08;
        double X(double load) => AxisLeft + load / xMax * PlotWidth;
        foreach (var load in offered)
        {
            svg.AppendLine(Invariant($"<line x1=\"{X(load):0.#}\" y1=\"{PlotTop}\" x2=\"{X(load):0.#}\" y2=\"{PlotBottom}\" stroke=\"#eee\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{X(load):0.#}\" y=\"{PlotBottom + 16}\" text-anchor=\"middle\">{Escape(TextTable.Count(load))}</text>"));
        }

        svg.AppendLine(Invariant($"<text x=\"{AxisLeft + PlotWidth / 2}\" y=\"{PlotBottom + 32}\" text-anchor=\"middle\" fill=\"#555\">offered load (msg/s, clients × rate)</text>"));
        foreach (var target in summaries.GroupBy(s => s.Target))
        {
            var points = target.OrderBy(s => s.OfferedPerSecond).ToList();
            var color = Colors.GetValueOrDefault(target.Key, "#777");
            svg.AppendLine(Invariant($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => Invariant($"{X(p.OfferedPerSecond):0.#},{y(p.Latency.P99):0.#}")))}\"/>"));
            svg.AppendLine(Invariant($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"5,4\" points=\"{string.Join(' ', points.Select(p => Invariant($"{X(p.OfferedPerSecond):0.#},{y(p.Latency.P50):0.#}")))}\"/>"));
            foreach (var p in points)
            {
                svg.AppendLine(Invariant($"<circle cx=\"{X(p.OfferedPerSecond):0.#}\" cy=\"{y(p.Latency.P99):0.#}\" r=\"3.5\" fill=\"{(p.Clean ? color : "white")}\" stroke=\"{color}\"><title>{Escape($"{target.Key}, {p.Clients} clients, {TextTable.Count(p.OfferedPerSecond)} msg/s: p50 {TextTable.Milliseconds(p.Latency.P50)} ms, p99 {TextTable.Milliseconds(p.Latency.P99)} ms{(p.Clean ? "" : ", not clean")}")}</title></circle>"));
            }
        }
    }

    static void Points(StringBuilder svg, List<ScenarioSummary> summaries, Func<double, double> y)
    {
        var width = PlotWidth / (double)summaries.Count;
        for (var i = 0; i < summaries.Count; i++)
        {
            var s = summaries[i];
            var x = AxisLeft + (i + 0.5) * width;
            var color = Colors.GetValueOrDefault(s.Target, "#777");
            svg.AppendLine(Invariant($"<line x1=\"{x:0.#}\" y1=\"{y(s.Latency.P50):0.#}\" x2=\"{x:0.#}\" y2=\"{y(s.Latency.P99):0.#}\" stroke=\"{color}\" stroke-width=\"2\"/>"));
            svg.AppendLine(Invariant($"<circle cx=\"{x:0.#}\" cy=\"{y(s.Latency.P50):0.#}\" r=\"4\" fill=\"white\" stroke=\"{color}\" stroke-width=\"2\"/>"));
            svg.AppendLine(Invariant($"<circle cx=\"{x:0.#}\" cy=\"{y(s.Latency.P99):0.#}\" r=\"4.5\" fill=\"{(s.Clean ? color : "white")}\" stroke=\"{color}\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x + 8:0.#}\" y=\"{y(s.Latency.P99) + 4:0.#}\" font-size=\"10\">p99 {Escape(TextTable.Milliseconds(s.Latency.P99))}</text>"));
            svg.AppendLine(Invariant($"<text x=\"{x + 8:0.#}\" y=\"{y(s.Latency.P50) + 4:0.#}\" font-size=\"10\">p50 {Escape(TextTable.Milliseconds(s.Latency.P50))}</text>"));
            svg.AppendLine(Invariant($"<text x=\"{x:0.#}\" y=\"{PlotBottom + 16}\" text-anchor=\"middle\">{Escape(s.Target)}</text>"));
        }
    }

    static void Legend(StringBuilder svg, List<string> targets, bool curves)
    {
        for (var i = 0; i < targets.Count; i++)
        {
            var x = AxisLeft + i * 120;
            svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"{PlotBottom + 44}\" width=\"12\" height=\"12\" fill=\"{Colors.GetValueOrDefault(targets[i], "#777")}\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x + 16}\" y=\"{PlotBottom + 54}\">{Escape(targets[i])}</text>"));
        }

        svg.AppendLine(Invariant($"<text x=\"{AxisLeft}\" y=\"{PlotBottom + 72}\" fill=\"#555\">{(curves ? "solid: p99, dashed: p50" : "filled: p99, hollow: p50")}; an open p99 marker: a load that was not clean</text>"));
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    static string Escape(string text) => WebUtility.HtmlEncode(text);
}
