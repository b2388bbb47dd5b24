namespace Chat.AppHost.Broker;

/// <summary>
/// The machine's RabbitMQ installation and how the AppHost runs it (configuration <c>Chat:LocalBroker</c>). The defaults
/// are the paths of Debian's and Ubuntu's <c>rabbitmq-server</c> package.
/// </summary>
sealed class LocalBrokerOptions
{
    public const string SectionName = "Chat:LocalBroker";

    /// <summary>
    /// The script that runs a node in the foreground (<c>/usr/sbin/rabbitmq-server</c> would switch to the rabbitmq user
    /// and log to /var/log).
    /// </summary>
    public string Server { get; set; } = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary><c>rabbitmqctl</c>, which a cluster's health check asks which nodes run.</summary>
    public string Ctl { get; set; } = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    /// <summary>Erlang's port mapper; the AppHost runs its own, on a port of its own, for its nodes.</summary>
    public string Epmd { get; set; } = "/usr/bin/epmd";

    /// <summary>The broker's user, made on a node's first start with the generated password (<c>Parameters:messaging-password</c>).</summary>
    public string UserName { get; set; } = "chat";

    /// <summary>Whether the programs are there.</summary>
    public bool IsInstalled => File.Exists(Server) && File.Exists(Epmd);
}
