using System.Text;

namespace Chat.Tests.Telemetry;

/// <summary>One expected span of a message's trace: what it is, and how to recognise it.</summary>
sealed record ExpectedSpan(string Description, Func<ExportedSpan, bool> Match);

/// <summary>
/// Finds the trace of one chat message in what the services exported: the trace of the gateway span that carries
/// the message id, once every expected span has arrived and the trace is a whole tree (every parent exported too).
/// </summary>
static class MessageTrace
{
    /// <summary>The spans of the message's trace when it is complete, else <see langword="null"/>.</summary>
    public static IReadOnlyList<ExportedSpan>? TryFind(IReadOnlyList<ExportedSpan> all, Guid messageId, IReadOnlyList<ExpectedSpan> expected)
    {
        if (FindTraceId(all, messageId) is not { } traceId)
        {
            return null;
        }

        var trace = all.Where(s => s.TraceId == traceId).ToList();
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var complete = trace.All(s => s.ParentSpanId is null || ids.Contains(s.ParentSpanId))
            && expected.All(e => trace.Any(e.Match));
        return complete ? trace : null;
    }

    /// <summary>What is known about the message's trace so far, for a failure message.</summary>
    public static string Describe(IReadOnlyList<ExportedSpan> all, Guid messageId, IReadOnlyList<ExpectedSpan> expected)
    {
        var text = new StringBuilder();
        if (FindTraceId(all, messageId) is not { } traceId)
        {
            text.AppendLine($"No gateway span carries messaging.message.id={messageId}; {all.Count} spans arrived, from: " +
                string.Join(", ", all.Select(s => $"{s.Source.ServiceName}/{s.Source.Scope}").Distinct()));
            return text.ToString();
        }

        var trace = all.Where(s => s.TraceId == traceId).ToList();
        text.AppendLine($"Trace {traceId}: {trace.Count} spans");
        foreach (var e in expected.Where(e => !trace.Any(e.Match)))
        {
            text.AppendLine($"  missing: {e.Description}");
        }

        var ids = trace.Select(s => s.SpanId).ToHashSet();
        foreach (var orphan in trace.Where(s => s.ParentSpanId is not null && !ids.Contains(s.ParentSpanId)))
        {
            text.AppendLine($"  parent not (yet) exported: {orphan.ParentSpanId} of '{orphan.Name}'");
        }

        text.AppendLine(Tree(trace));
        text.AppendLine("Spans of other traces that carry the message id:");
        foreach (var span in all.Where(s => s.TraceId != traceId && s.Attributes.Values.Any(v => v?.ToString() == messageId.ToString())))
        {
            text.AppendLine("  " + span);
        }

        return text.ToString();
    }

    /// <summary>The trace as an indented tree, children in order of their start.</summary>
    public static string Tree(IReadOnlyList<ExportedSpan> trace)
    {
        var text = new StringBuilder();
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var children = trace.ToLookup(s => s.ParentSpanId is { } p && ids.Contains(p) ? p : "");
        void Write(ExportedSpan span, int depth)
        {
            text.AppendLine($"{new string(' ', depth * 2)}- {span}");
            foreach (var child in children[span.SpanId].OrderBy(c => c.Start))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in children[""].OrderBy(s => s.Start))
        {
            Write(root, 0);
        }

        return text.ToString();
    }

    static string? FindTraceId(IReadOnlyList<ExportedSpan> all, Guid messageId) =>
        all.FirstOrDefault(s => s.Source.Scope == "Chat.Gateway" && s.Attribute("messaging.message.id") == messageId.ToString())?.TraceId;
}
