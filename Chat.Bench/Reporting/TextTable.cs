using System.Globalization;
using System.Text;

namespace Chat.Bench.Reporting;

/// <summary>A Markdown table, padded so that it also reads well as plain text on the console.</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? rightAligned = null)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        Line(headers);
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            var right = rightAligned?.Contains(i) == true;
            text.Append(' ').Append(new string('-', Math.Max(1, widths[i] - (right ? 1 : 0)))).Append(right ? ":" : "").Append(" |");
        }

        text.AppendLine();
        foreach (var row in all)
        {
            Line(row);
        }

        return text.ToString();

        void Line(IReadOnlyList<string> cells)
        {
            text.Append('|');
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = i < cells.Count ? cells[i] : "";
                text.Append(' ').Append(rightAligned?.Contains(i) == true ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])).Append(" |");
            }

            text.AppendLine();
        }
    }

    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Milliseconds(double value) => value switch
    {
        < 10 => value.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Times(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";

    public static string Bytes(double? value) => value switch
    {
        null => "n/a",
        >= 1024 * 1024 => (value.Value / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1024 => (value.Value / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => value.Value.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    public static string Seconds(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
