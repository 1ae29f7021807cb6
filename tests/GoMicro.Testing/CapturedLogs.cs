using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace GoMicro.Testing;

/// <summary>
/// Every log event of every service the tests host in this process, exactly as the JSON line
/// the service writes to stdout (the services' Serilog reads sinks from DI, and
/// <see cref="ServiceHost{TEntryPoint}"/> registers this one), so a test can scan what a run
/// logged. Bounded: past the cap the oldest lines go.
/// </summary>
public static class CapturedLogs
{
    private const int Cap = 500_000;
    private static readonly ConcurrentQueue<string> Lines = new();
    private static readonly CompactJsonFormatter Formatter = new();

    public static ILogEventSink Sink { get; } = new CaptureSink();

    public static IReadOnlyList<string> All => [.. Lines];

    private sealed class CaptureSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            Formatter.Format(logEvent, writer);
            Lines.Enqueue(writer.ToString());
            while (Lines.Count > Cap && Lines.TryDequeue(out _))
            {
            }
        }
    }
}
