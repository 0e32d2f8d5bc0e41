package io.mqproxy.app;

import io.mqproxy.broker.FilterExpressions;
import io.mqproxy.cli.AdminCli;
import io.mqproxy.config.ConfigException;
import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.threads.ThreadPools;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: configuration, start, and a clean stop on SIGTERM or Ctrl-C. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("admin")) {
            PrintWriter out = new PrintWriter(System.out, true);
            PrintWriter err = new PrintWriter(System.err, true);
            System.exit(AdminCli.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err));
            return;
        }
        ProxyConfig config;
        try {
            CommandLine cli = CommandLine.parse(args);
            if (cli.help()) {
                System.out.print(CommandLine.usage());
                return;
            }
            config = ConfigLoader.load(cli.configFile(), System.getenv(), cli.overrides(), FilterExpressions::validate);
        } catch (ConfigException e) {
            System.err.println("mq-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProxyApp app;
        try {
            app = ProxyApp.start(config);
        } catch (RuntimeException e) {
            log.error("mq-proxy: {}", e.getMessage(), e);
            // A failed RocketMQ start leaves non-daemon threads behind: exit explicitly.
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(ThreadPools.thread("shutdown", false, () -> {
            app.close();
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
