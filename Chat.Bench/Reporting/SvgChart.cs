using System.Globalization;
using System.Net;
using System.Text;

namespace Chat.Bench.Reporting;

/// <summary>
/// <c>chart.svg</c>, hand-written: for each burst scenario, the latency percentiles (p50, p90, p99, max) and the throughput
/// (accepted msg/s, deliveries/s) of every target, as grouped bars on logarithmic axes; below them the paced scenarios
/// (<see cref="PacedChart"/>).
/// </summary>
public static class SvgChart
{
    const int Width = 1100;
    const int RowHeight = 330;
    const int PanelWidth = 520;

    static readonly (string Name, string Color)[] LatencySeries = [("p50", "#9ecae1"), ("p90", "#6baed6"), ("p99", "#2171b5"), ("max", "#08306b")];
    static readonly (string Name, string Color)[] ThroughputSeries = [("accepted msg/s", "#fdae6b"), ("deliveries/s", "#e6550d")];

    public static string Render(BenchReport report)
    {
        var scenarios = report.Summaries.Where(s => !s.Paced).Select(s => s.Scenario).Distinct().ToList();
        var pacedTop = 50 + scenarios.Count * RowHeight;
        var height = Math.Max(pacedTop + PacedChart.Height(report), RowHeight + 50);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{Escape($"Chat.Bench {report.StartedAt:yyyy-MM-dd HH:mm} UTC — {(scenarios.Count > 0 ? $"{report.Settings.Clients} clients × {report.Settings.Messages} messages, " : "")}medians of {report.Settings.Repetitions}")}</text>");
        for (var row = 0; row < scenarios.Count; row++)
        {
            var summaries = report.Summaries.Where(s => s.Scenario == scenarios[row] && !s.Paced).ToList();
            var top = 50 + row * RowHeight;
            var targets = summaries.Select(s => s.Target).ToList();
            Panel(svg, 20, top, $"{scenarios[row]}: end-to-end latency (ms, log scale)", targets, LatencySeries,
                summaries.Select(s => new[] { s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.Max }).ToList());
            Panel(svg, 40 + PanelWidth, top, $"{scenarios[row]}: throughput (per second, log scale)", targets, ThroughputSeries,
                summaries.Select(s => new[] { s.AcceptedPerSecond, s.DeliveriesPerSecond }).ToList());
        }

        PacedChart.Render(svg, report, pacedTop);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    static void Panel(StringBuilder svg, int left, int top, string title, IReadOnlyList<string> categories,
        (string Name, string Color)[] series, IReadOnlyList<double[]> values)
    {
        const int plotTop = 40, plotBottom = 250, axisLeft = 60;
        var plotHeight = plotBottom - plotTop;
        var plotWidth = PanelWidth - axisLeft - 10;
        svg.AppendLine(CultureInfo.InvariantCulture, $"<g transform=\"translate({left},{top})\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"14\" font-weight=\"bold\">{Escape(title)}</text>");

        var positive = values.SelectMany(v => v).Where(v => v > 0 && double.IsFinite(v)).ToList();
        var low = positive.Count == 0 ? 0 : Math.Floor(Math.Log10(positive.Min()));
        var high = positive.Count == 0 ? 1 : Math.Ceiling(Math.Log10(positive.Max()));
        if (high <= low)
        {
            high = low + 1;
        }

        double Y(double value) => value <= 0 ? plotBottom : plotBottom - (Math.Log10(value) - low) / (high - low) * plotHeight;

        for (var decade = low; decade <= high; decade++)
        {
            var y = Y(Math.Pow(10, decade));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{axisLeft}\" y1=\"{y:0.#}\" x2=\"{axisLeft + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{axisLeft - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#555\">{Escape(Label(Math.Pow(10, decade)))}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{axisLeft}\" y1=\"{plotBottom}\" x2=\"{axisLeft + plotWidth}\" y2=\"{plotBottom}\" stroke=\"#333\"/>");
        var groupWidth = categories.Count == 0 ? plotWidth : plotWidth / (double)categories.Count;
        var barWidth = Math.Min(28, groupWidth * 0.8 / series.Length);
        for (var c = 0; c < categories.Count; c++)
        {
            var groupLeft = axisLeft + c * groupWidth + (groupWidth - barWidth * series.Length) / 2;
            for (var s = 0; s < series.Length; s++)
            {
                var value = values[c][s];
                var y = Y(value);
                var x = groupLeft + s * barWidth;
                svg.AppendLine(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{Math.Max(0, plotBottom - y):0.#}\" fill=\"{series[s].Color}\"><title>{Escape($"{categories[c]} {series[s].Name}: {Label(value)}")}</title></rect>");
                svg.AppendLine(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + (barWidth - 2) / 2:0.#}\" y=\"{y - 3:0.#}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#333\">{Escape(Label(value))}</text>");
            }

            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{axisLeft + c * groupWidth + groupWidth / 2:0.#}\" y=\"{plotBottom + 16}\" text-anchor=\"middle\">{Escape(categories[c])}</text>");
        }

        for (var s = 0; s < series.Length; s++)
        {
            var x = axisLeft + s * 110;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{plotBottom + 28}\" width=\"12\" height=\"12\" fill=\"{series[s].Color}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 16}\" y=\"{plotBottom + 38}\">{Escape(series[s].Name)}</text>");
        }

        svg.AppendLine("</g>");
    }

    static string Label(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0", CultureInfo.InvariantCulture) + "k",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 10 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    static string Escape(string text) => WebUtility.HtmlEncode(text);
}
