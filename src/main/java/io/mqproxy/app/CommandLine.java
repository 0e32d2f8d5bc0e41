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
              --key=value     override one key, e.g. --broker.namesrvAddr=10.0.0.5:9876 --http.producePort=9082
            Environment variables MQPROXY_<KEY_IN_UPPER_SNAKE_CASE> override the file; flags override both.
            With no broker.namesrvAddr, an embedded RocketMQ name server and broker start in this process.
            """;
    }
}
