using System.Security.Cryptography;
using System.Text;

namespace Chat.AppHost.Broker;

/// <summary>
/// What the AppHost writes for its local nodes. Their shared home (<c>&lt;data&gt;/rabbitmq</c>) holds the Erlang cookie and
/// the list of enabled plugins; each node has a directory of its own below it (its rabbitmq.conf, database and logs).
/// </summary>
static class LocalRabbitMQFiles
{
    const string CookieAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>
    /// Makes the home of the nodes: the cookie every node and rabbitmqctl must share to talk to each other (made once and
    /// kept, readable by its owner only, as Erlang makes it), and an empty plugin list. Returns the plugin list's path.
    /// </summary>
    public static string PrepareHome(string home)
    {
        Directory.CreateDirectory(home);
        var cookie = Path.Combine(home, ".erlang.cookie");
        if (!File.Exists(cookie))
        {
            WritePrivate(cookie, RandomNumberGenerator.GetString(CookieAlphabet, 32));
        }

        var plugins = Path.Combine(home, "enabled_plugins");
        File.WriteAllText(plugins, "[].\n");
        return plugins;
    }

    /// <summary>
    /// Writes a node's rabbitmq.conf before each start. The user and password count on the node's first start only (when
    /// its database is made); the cluster's members are the peers it joins on that start (classic-config discovery).
    /// </summary>
    public static void WriteConfig(string file, string userName, string password, IReadOnlyList<string> clusterNodes)
    {
        var config = new StringBuilder()
            .AppendLine("# Written by Chat.AppHost before every start of this node.")
            .AppendLine($"default_user = {userName}")
            .AppendLine($"default_pass = {password}");
        if (clusterNodes.Count > 1)
        {
            config.AppendLine("cluster_formation.peer_discovery_backend = classic_config");
            for (var i = 0; i < clusterNodes.Count; i++)
            {
                config.AppendLine($"cluster_formation.classic_config.nodes.{i + 1} = {clusterNodes[i]}");
            }

            // A node cut off from the majority stops serving rather than going on alone (RabbitMQ's advice from 3 nodes).
            config.AppendLine("cluster_partition_handling = pause_minority");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        WritePrivate(file, config.ToString());
    }

    /// <summary>Writes a file only its owner may read: it holds a secret.</summary>
    static void WritePrivate(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, Encoding.ASCII, options);
        writer.Write(contents);
    }
}
