using System.CommandLine;
using System.CommandLine.Parsing;

namespace Chat.Bench;

/// <summary>The kinds of option the bench's command line has, each with its parser and its error message.</summary>
public static class OptionFactory
{
    /// <summary>A whole number, 0 or more.</summary>
    public static Option<int> Whole(string name, string helpName, int defaultValue, string description) => new(name)
    {
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }

            result.AddError($"{name} needs a whole number, not {text}");
            return 0;
        },
    };

    /// <summary>A rate above 0.</summary>
    public static Option<double> PerSecond(string name, double defaultValue, string description) => new(name)
    {
        HelpName = "R",
        DefaultValueFactory = _ => defaultValue,
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
            {
                return value;
            }

            result.AddError($"{name} needs a number of messages a second above 0, not {text}");
            return defaultValue;
        },
    };

    /// <summary>A comma-separated choice among <paramref name="all"/>, where <c>all</c> and <c>none</c> also work.</summary>
    public static Option<string[]> Choice(string name, string alias, string[] all, IReadOnlyList<string> defaultValue, string what, string description) => new(name, alias)
    {
        HelpName = string.Join(',', all),
        Arity = ArgumentArity.ExactlyOne,
        DefaultValueFactory = _ => [.. defaultValue],
        Description = $"{description} {string.Join(", ", all)}.",
        CustomParser = result =>
        {
            var value = result.Tokens[^1].Value;
            if (value == "all")
            {
                return all;
            }

            if (value == "none")
            {
                return [];
            }

            var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToArray();
            var unknown = items.Except(all).ToList();
            if (unknown.Count > 0)
            {
                result.AddError($"unknown {what}: {string.Join(", ", unknown)} (known: {string.Join(", ", all)})");
            }

            return items;
        },
    };

    /// <summary>An absolute URL, or an error.</summary>
    public static Uri AbsoluteUri(ArgumentResult result, string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        result.AddError($"not an absolute URL: {text}");
        return new Uri("http://invalid");
    }

    /// <summary>Every value is KEY=VALUE.</summary>
    public static void KeyValuePairs(OptionResult result)
    {
        foreach (var token in result.Tokens.Where(t => t.Value.IndexOf('=', StringComparison.Ordinal) <= 0))
        {
            result.AddError($"--set needs KEY=VALUE, not {token.Value}");
        }
    }
}
