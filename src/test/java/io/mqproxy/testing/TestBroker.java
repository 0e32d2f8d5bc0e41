package io.mqproxy.testing;

import io.mqproxy.broker.RocketMqRuntime;
import io.mqproxy.broker.embedded.EmbeddedBroker;
import io.mqproxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * The real RocketMQ name server and broker shared by every test class of this JVM (pom.xml runs two test
 * JVMs, each with its own): started once (5-35 s), never stopped by a test (stopping takes 15-37 s); the
 * JVM's exit ends it.
 */
public final class TestBroker {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static TestBroker instance;

    private final EmbeddedBroker broker;
    private final DefaultMQAdminExt admin;
    private final Path dataDir;

    private TestBroker(EmbeddedBroker broker, DefaultMQAdminExt admin, Path dataDir) {
        this.broker = broker;
        this.admin = admin;
        this.dataDir = dataDir;
    }

    public static synchronized TestBroker get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static TestBroker start() {
        try {
            Path dir = Files.createTempDirectory("mqproxy-test-broker");
            RocketMqRuntime.prepare(dir.resolve("logs"));
            EmbeddedBroker broker = startOnFreePorts(dir);
            DefaultMQAdminExt admin = new DefaultMQAdminExt(5_000);
            admin.setNamesrvAddr(broker.namesrvAddr());
            admin.setInstanceName("test-admin");
            admin.setVipChannelEnabled(false);
            admin.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            return new TestBroker(broker, admin, dir);
        } catch (Exception e) {
            throw new IllegalStateException("test broker did not start", e);
        }
    }

    /** Ports picked free can be taken before the bind by another process: try a few times. */
    public static EmbeddedBroker startOnFreePorts(Path dir) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                // No ACL: tests talk to the shared broker with native clients that sign nothing.
                return EmbeddedBroker.start(smallBroker(dir), "DefaultCluster", null);
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * Small files: 16 MiB commit-log segments keep the test run light. The timer wheel is written every 10 s
     * instead of every second: in a test JVM (C1 only) each write costs ~220 ms of CPU, a quarter of a core for
     * the whole run otherwise.
     */
    public static ProxyConfig.Embedded smallBroker(Path dir) {
        return new ProxyConfig.Embedded(dir.toString(), "127.0.0.1", FreePorts.any(), FreePorts.forBroker(),
            "broker-test", 16, 1_000, 10_000, false);
    }

    public String namesrvAddr() {
        return broker.namesrvAddr();
    }

    public String brokerAddr() {
        return broker.brokerAddr();
    }

    public DefaultMQAdminExt admin() {
        return admin;
    }

    /** A new topic with a unique name, routable on return. */
    public String newTopic(String prefix, int queues) {
        String topic = prefix + "-" + TOPICS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        createTopic(topic, queues);
        return topic;
    }

    public void createTopic(String topic, int queues) {
        try {
            admin.createAndUpdateTopicConfig(brokerAddr(),
                new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE));
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                try {
                    if (!admin.examineTopicRouteInfo(topic).getQueueDatas().isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    if (System.currentTimeMillis() > deadline) {
                        throw notYet;
                    }
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + " not created", e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: it is a temp folder
        }
    }
}
