package io.mqproxy.app;

import io.mqproxy.config.ConfigException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --config FILE}, {@code --help}, and {@code --key.path=value} overrides. */
record CommandLine(Path configFile, Map<String, String> overrides, boolean help) {
    static CommandLine parse(String[] args) {
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("--config needs a file path");
                }
                config = Path.of(args[++i]);
            } else if (arg.startsWith("--config=")) {
                config = Path.of(arg.substring("--config=".length()));
            } else if (arg.startsWith("--") && arg.indexOf('=') > 2) {
                int eq = arg.indexOf('=');
                overrides.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                throw new ConfigException("unrecognised argument '" + arg + "': use --config FILE or --key=value");
            }
        }
        return new CommandLine(config, overrides, help);
    }

    static String usage() {
        return """
            usage: java -jar mq-proxy.jar [--config FILE] [--key=value ...]
                   java -jar mq-proxy.jar admin <command> ...   (the control plane; admin --help lists commands)
              --config FILE   YAML configuration (keys and defaults: defaults.yaml, README.md)
              --key=value     override one configuration key; those that matter at start:
                --http.producePort=8082 --http.consumePort=8081   the data ports (--http.host=0.0.0.0 binds them)
                --admin.port=8083 --admin.host=127.0.0.1          control plane, console, metrics and health
                --embedded.dataDir=data                           data folder: the embedded broker's messages and
                                                                  offsets, its keys, and operator.token
                --broker.namesrvAddr=10.0.0.5:9876;10.0.0.6:9876  a RocketMQ cluster to proxy; empty (default):
                                                                  an embedded name server and broker start here
            Operator token: embedded, with no admin.operators configured, one is made at the first start and kept
            in <embedded.dataDir>/operator.token (data/operator.token); admin commands read it with --token-file.
            Against a cluster, configure admin.operators (e.g. [{name: alice, tokenEnv: MQPROXY_ALICE_TOKEN}]).
            Environment variables MQPROXY_<KEY_IN_UPPER_SNAKE_CASE> override the file; flags override both.
            """;
    }
}
