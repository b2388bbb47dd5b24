namespace Chat.Bench.Diagnostics;

/// <summary>The process groups whose CPU each round measures (<see cref="CpuMeter"/>), as the report names them.</summary>
public static class CpuGroups
{
    public const string Gateways = "gateways";
    public const string History = "history";
    public const string Broker = "broker";
    public const string Dcp = "dcp";
    public const string Bench = "bench";
    public const string SocketServer = "socket server";
    public const string SignalR = "signalr + redis";
}
