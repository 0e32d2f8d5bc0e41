package io.mqproxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * A real RocketMQ cluster of separate processes, from the same jars the proxy uses: one name server and
 * broker masters ({@code NamesrvStartup}, {@code BrokerStartup -c broker.conf}), each a JVM of its own on
 * loopback with free ports, a small heap and small files, their stores and logs under one folder. A broker
 * is stopped by its own process id (a crash: SIGKILL) and started again on the same store and ports.
 * Optionally with ACL 2.0 (authentication and authorization, one super user) and TLS enforced on every
 * RocketMQ port.
 */
public final class ClusterFixture implements AutoCloseable {
    private static final String CLUSTER = "DefaultCluster";
    private static final long START_SECONDS = 180;
    private static ClusterFixture shared;

    private final Path dir;
    private final Options options;
    private final int namesrvPort = FreePorts.any();
    private final Map<String, Integer> brokerPorts = new LinkedHashMap<>();
    private final Map<String, Process> brokers = new LinkedHashMap<>();
    private Process namesrv;
    private DefaultMQAdminExt admin;

    /**
     * @param acl   a super user (user name, password) that the brokers create, or null for no ACL
     * @param tls   the servers' certificate, TLS enforced on every port; or null for plain TCP
     */
    public record Options(List<String> brokerNames, String[] acl, SelfSignedCert tls, int brokerHeapMb) {
        public static Options plain(String... brokerNames) {
            return new Options(List.of(brokerNames), null, null, 256);
        }
    }

    private ClusterFixture(Path dir, Options options) {
        this.dir = dir;
        this.options = options;
        options.brokerNames().forEach(name -> brokerPorts.put(name, FreePorts.forBroker()));
    }

    /**
     * The cluster the fault and rolling-restart tests share (broker-a and broker-b), started once per
     * test JVM and killed when it exits. Tests use topics of their own on it.
     */
    public static synchronized ClusterFixture shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("mqproxy-cluster");
                shared = start(dir, Options.plain("broker-a", "broker-b"));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    shared.close();
                    deleteQuietly(dir);
                }));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    public static ClusterFixture start(Path dir, Options options) {
        ClusterFixture cluster = new ClusterFixture(dir, options);
        try {
            cluster.startAll();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("namesrv.conf");
            Properties p = new Properties();
            p.setProperty("listenPort", Integer.toString(namesrvPort));
            p.setProperty("kvConfigPath", dir.resolve("namesrv/kvConfig.json").toString());
            p.setProperty("configStorePath", dir.resolve("namesrv/namesrv.properties").toString());
            write(conf, p);
            namesrv = launch("namesrv", "org.apache.rocketmq.namesrv.NamesrvStartup", 128, conf);
            for (String name : options.brokerNames()) {
                brokers.put(name, launchBroker(name));
            }
            admin = new DefaultMQAdminExt(options.acl() == null ? null
                : new AclClientRPCHook(new SessionCredentials(options.acl()[0], options.acl()[1])), 10_000);
            admin.setNamesrvAddr(namesrvAddr());
            admin.setInstanceName("cluster-fixture-" + System.nanoTime());
            admin.setVipChannelEnabled(false);
            admin.setUseTLS(options.tls() != null);
            admin.start();
            for (String name : options.brokerNames()) {
                awaitRegistered(name);
            }
        } catch (IOException | org.apache.rocketmq.client.exception.MQClientException e) {
            throw new IllegalStateException("cluster did not start: " + e.getMessage(), e);
        }
    }

    public String namesrvAddr() {
        return "127.0.0.1:" + namesrvPort;
    }

    public String brokerAddr(String name) {
        return "127.0.0.1:" + brokerPorts.get(name);
    }

    public List<String> brokerNames() {
        return options.brokerNames();
    }

    public DefaultMQAdminExt admin() {
        return admin;
    }

    /** A topic with {@code queuesPerBroker} queues on every broker, routable (on all of them) on return. */
    public String newTopic(String prefix, int queuesPerBroker) {
        String topic = prefix + "-" + System.nanoTime() % 10_000_000;
        try {
            for (String name : options.brokerNames()) {
                admin.createAndUpdateTopicConfig(brokerAddr(name),
                    new TopicConfig(topic, queuesPerBroker, queuesPerBroker, PermName.PERM_READ | PermName.PERM_WRITE));
            }
            long deadline = System.currentTimeMillis() + 20_000;
            while (true) {
                try {
                    if (admin.examineTopicRouteInfo(topic).getBrokerDatas().size() == options.brokerNames().size()) {
                        return topic;
                    }
                } catch (Exception notYet) {
                    // the name server learns of it at the next registration
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("topic " + topic + " not routable on every broker");
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + " not created: " + e.getMessage(), e);
        }
    }

    /** SIGKILL of the broker's own process: nothing of it runs after this (a crash). */
    public void killBroker(String name) {
        Process p = brokers.get(name);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker " + name + " (pid " + p.pid() + ") did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean brokerAlive(String name) {
        return brokers.get(name).isAlive();
    }

    /** Starts the broker again on its store and ports; returns when the name server lists it. */
    public void restartBroker(String name) {
        if (brokers.get(name).isAlive()) {
            throw new IllegalStateException("broker " + name + " is running");
        }
        try {
            brokers.put(name, launchBroker(name));
            awaitRegistered(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The broker's process id, as the operating system knows it. */
    public long brokerPid(String name) {
        return brokers.get(name).pid();
    }

    private Process launchBroker(String name) throws IOException {
        Path store = dir.resolve("store-" + name);
        int port = brokerPorts.get(name);
        Properties p = new Properties();
        p.setProperty("brokerClusterName", CLUSTER);
        p.setProperty("brokerName", name);
        p.setProperty("brokerId", "0");
        p.setProperty("namesrvAddr", namesrvAddr());
        p.setProperty("brokerIP1", "127.0.0.1");
        p.setProperty("listenPort", Integer.toString(port));
        p.setProperty("haListenPort", Integer.toString(port + 1));
        p.setProperty("storePathRootDir", store.toString());
        p.setProperty("storePathCommitLog", store.resolve("commitlog").toString());
        p.setProperty("mappedFileSizeCommitLog", Integer.toString(16 * 1024 * 1024));
        p.setProperty("mappedFileSizeConsumeQueue", Integer.toString(30_000 * 20));
        p.setProperty("mappedFileSizeTimerLog", Integer.toString(8 * 1024 * 1024));
        p.setProperty("maxHashSlotNum", "100000");
        p.setProperty("maxIndexNum", "400000");
        p.setProperty("autoCreateTopicEnable", "false");
        p.setProperty("flushConsumerOffsetInterval", "1000");
        // As TestBroker: a timer flush compares the whole 38 MiB wheel; every second it was most of an idle
        // broker's CPU (C1 only), through the rest of the test run.
        p.setProperty("timerFlushIntervalMs", "10000");
        p.setProperty("enablePropertyFilter", "true");
        // Brokers share two cores with the test and the proxies: a short stall is not overload.
        p.setProperty("waitTimeMillsInSendQueue", "1000");
        if (options.acl() != null) {
            String user = options.acl()[0];
            String password = options.acl()[1];
            p.setProperty("authenticationEnabled", "true");
            p.setProperty("authenticationProvider",
                "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider");
            p.setProperty("authenticationMetadataProvider",
                "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider");
            p.setProperty("authorizationEnabled", "true");
            p.setProperty("authorizationProvider",
                "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider");
            p.setProperty("authorizationMetadataProvider",
                "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider");
            p.setProperty("initAuthenticationUser", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
            p.setProperty("innerClientAuthenticationCredentials",
                "{\"accessKey\":\"" + user + "\",\"secretKey\":\"" + password + "\"}");
        }
        Path conf = dir.resolve(name + ".conf");
        write(conf, p);
        return launch(name, "org.apache.rocketmq.broker.BrokerStartup", options.brokerHeapMb(), conf);
    }

    private Process launch(String name, String mainClass, int heapMb, Path conf) throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms" + Math.min(heapMb, 128) + "m", "-Xmx" + heapMb + "m", "-XX:+UseSerialGC",
            "-XX:MaxDirectMemorySize=256m",
            // Two cores for everything: the quick compiler only, far less CPU at start for the load tests need.
            "-XX:TieredStopAtLevel=1",
            // RocketMQ's logs go under ${user.home}/logs/rocketmqlogs: keep them in the fixture's folder.
            "-Duser.home=" + home));
        if (options.tls() != null) {
            command.addAll(List.of(
                "-Dtls.server.mode=enforcing", "-Dtls.enable=true", "-Dtls.test.mode.enable=false",
                "-Dtls.server.certPath=" + options.tls().certFile(),
                "-Dtls.server.keyPath=" + options.tls().keyFile(),
                "-Dtls.server.need.client.auth=none", "-Dtls.config.file=" + dir.resolve("no-tls.properties")));
        } else {
            // RocketMQ's default is permissive TLS with a certificate made at each start: seconds of CPU.
            command.add("-Dtls.server.mode=disabled");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass, "-c", conf.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()));
        builder.environment().put("ROCKETMQ_HOME", home.toString());
        return builder.start();
    }

    private void awaitRegistered(String name) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            Process p = brokers.get(name);
            if (!p.isAlive() || !namesrv.isAlive()) {
                throw new IllegalStateException((namesrv.isAlive() ? "broker " + name : "name server")
                    + " exited: " + tail(namesrv.isAlive() ? name : "namesrv"));
            }
            try {
                ClusterInfo info = admin.examineBrokerClusterInfo();
                BrokerData data = info.getBrokerAddrTable().get(name);
                // Listed is not enough: a killed broker stays listed until the name server notices.
                if (data != null && brokerAddr(name).equals(data.getBrokerAddrs().get(0L))) {
                    admin.fetchBrokerRuntimeStats(brokerAddr(name));
                    return;
                }
            } catch (Exception notYet) {
                // name server not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("broker " + name + " not registered in " + START_SECONDS + " s: " + tail(name));
    }

    /** The last lines of a process's output, for failure messages. */
    public String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".out"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.shutdown();
        }
        brokers.values().forEach(Process::destroyForcibly);
        if (namesrv != null) {
            namesrv.destroyForcibly();
        }
        for (Process p : brokers.values()) {
            waitQuietly(p);
        }
        if (namesrv != null) {
            waitQuietly(namesrv);
        }
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(Path file, Properties p) throws IOException {
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "written by ClusterFixture");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a temp folder
        }
    }
}
