package io.mqproxy.broker.embedded;

import io.mqproxy.broker.RemotingStop;
import io.mqproxy.broker.TlsStatics;
import io.mqproxy.config.ProxyConfig;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.auth.config.AuthConfig;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.broker.auth.pipeline.AuthenticationPipeline;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.ServiceThread;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.store.config.MessageStoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real RocketMQ name server and broker in this JVM, its data under one folder, so that one command
 * on a fresh machine runs the whole product and tests run against the real thing.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    /** How long the start waits for the broker's client to reach the name server before registering. */
    private static final long REGISTER_WAIT_SECONDS = 10;

    private final NamesrvController namesrv;
    private final BrokerController broker;
    private final String namesrvAddr;

    private EmbeddedBroker(NamesrvController namesrv, BrokerController broker, String namesrvAddr) {
        this.namesrv = namesrv;
        this.broker = broker;
        this.namesrvAddr = namesrvAddr;
        InProcessBrokers.started(broker);
    }

    /**
     * The user every request to the embedded name server and broker must be signed by (RocketMQ's ACL 2.0),
     * a super user.
     */
    public record User(String accessKey, String secretKey) {
        /** Never prints the secret. */
        @Override
        public String toString() {
            return "User[accessKey=" + accessKey + ", secretKey=***]";
        }
    }

    /**
     * Starts name server then broker; returns once the broker is registered with the name server (a few
     * seconds on a quiet machine).
     *
     * @param admin the only user the name server and broker accept, or null: no authentication at all
     *              (anyone who reaches their ports may do anything)
     */
    public static EmbeddedBroker start(ProxyConfig.Embedded cfg, String clusterName, User admin) {
        Path root = Path.of(cfg.dataDir()).toAbsolutePath();
        long began = System.nanoTime();
        AuthConfig auth = admin == null ? null : EmbeddedAcl.authConfig(root, cfg, clusterName, admin);
        NamesrvController namesrv = startNamesrv(root, cfg, auth);
        String namesrvAddr = cfg.host() + ":" + cfg.namesrvPort();
        BrokerController broker;
        try {
            broker = startBroker(root, cfg, clusterName, namesrvAddr, auth);
        } catch (RuntimeException e) {
            namesrv.shutdown();
            throw e;
        }
        log.info("embedded RocketMQ started in {} ms: name server {}, broker {} at {}, data in {}, {}",
            (System.nanoTime() - began) / 1_000_000, namesrvAddr, cfg.brokerName(), broker.getBrokerAddr(), root,
            admin == null ? "no authentication" : "requests signed by user " + admin.accessKey() + " only");
        return new EmbeddedBroker(namesrv, broker, namesrvAddr);
    }

    private static NamesrvController startNamesrv(Path root, ProxyConfig.Embedded cfg, AuthConfig auth) {
        NamesrvConfig config = new NamesrvConfig();
        config.setRocketmqHome(root.toString());
        config.setKvConfigPath(root.resolve("namesrv/kvConfig.json").toString());
        config.setConfigStorePath(root.resolve("namesrv/namesrv.properties").toString());
        NettyServerConfig server = new NettyServerConfig();
        server.setBindAddress(cfg.host());
        server.setListenPort(cfg.namesrvPort());
        // The name server's own client only calls brokers back (at their registered address). Left alone it
        // also probes "its name server", the machine's first non-loopback address, every 3 s: a refused
        // connection each time on a name server bound to embedded.host.
        NettyClientConfig client = new NettyClientConfig();
        client.setScanAvailableNameSrv(false);
        NamesrvController controller = new NamesrvController(config, server, client);
        try {
            if (!TlsStatics.serversWithoutTls(controller::initialize)) {
                throw new IllegalStateException("name server failed to initialize");
            }
            if (auth != null) {
                // The name server of RocketMQ 5.5.0 authenticates nothing itself (no AuthConfig, no pipeline of
                // its own). Every remoting server runs a request pipeline before any processor: the broker's own
                // authentication pipeline, on the same users, makes the name server refuse unsigned requests
                // as the broker does. Set before start: no request is ever served unauthenticated.
                controller.getRemotingServer().setRequestPipeline(new AuthenticationPipeline(auth));
            }
            controller.start();
            // start() points that client at the machine's address; everything embedded talks over embedded.host.
            controller.getRemotingClient().updateNameServerAddressList(
                new ArrayList<>(List.of(cfg.host() + ":" + cfg.namesrvPort())));
            return controller;
        } catch (Exception e) {
            controller.shutdown();
            throw new IllegalStateException("embedded name server could not start on port " + cfg.namesrvPort()
                + " (embedded.namesrvPort): " + e.getMessage(), e);
        }
    }

    private static BrokerController startBroker(Path root, ProxyConfig.Embedded cfg, String clusterName,
                                                String namesrvAddr, AuthConfig auth) {
        Path store = root.resolve("store");
        try {
            Files.createDirectories(store);
        } catch (Exception e) {
            throw new IllegalStateException("embedded.dataDir " + root + " cannot be created: " + e.getMessage(), e);
        }
        BrokerConfig brokerConfig = new BrokerConfig();
        brokerConfig.setRocketmqHome(root.toString());
        brokerConfig.setBrokerName(cfg.brokerName());
        brokerConfig.setBrokerClusterName(clusterName);
        brokerConfig.setBrokerIP1(cfg.host());
        // The replication address the broker registers (it runs no replication listener): not the machine's.
        brokerConfig.setBrokerIP2(cfg.host());
        brokerConfig.setNamesrvAddr(namesrvAddr);
        brokerConfig.setListenPort(cfg.brokerPort());
        brokerConfig.setEnablePropertyFilter(true);
        // Topics are created by the proxy for the producers and consumers it knows, never by a stray send.
        brokerConfig.setAutoCreateTopicEnable(false);
        // The embedded broker shares a few cores with the proxy; a short CPU stall is not overload.
        brokerConfig.setWaitTimeMillsInSendQueue(1_000);
        // Consumer progress lives in memory between persists: after a crash, what was consumed since
        // the last one is delivered again. RocketMQ's 5 s default means up to 5 s of duplicates.
        brokerConfig.setFlushConsumerOffsetInterval(cfg.flushConsumerOffsetMillis());

        MessageStoreConfig storeConfig = new MessageStoreConfig();
        storeConfig.setStorePathRootDir(store.toString());
        storeConfig.setStorePathCommitLog(store.resolve("commitlog").toString());
        storeConfig.setMappedFileSizeCommitLog(cfg.commitLogFileMb() * 1024 * 1024);
        storeConfig.setMappedFileSizeConsumeQueue(30_000 * 20);
        storeConfig.setMappedFileSizeTimerLog(Math.min(cfg.commitLogFileMb(), 32) * 1024 * 1024);
        // The default index file maps ~400 MiB; keyed lookup needs far less on a proxy's own broker.
        storeConfig.setMaxHashSlotNum(100_000);
        storeConfig.setMaxIndexNum(400_000);
        // Each timer flush compares the whole timer wheel (7 days of slots, 38 MiB) with its file: RocketMQ's
        // 1 s is the default; a longer interval is most of an idle broker's CPU saved.
        storeConfig.setTimerFlushIntervalMs(cfg.timerFlushMillis());

        try {
            FreshTimerCheckpoint.prepare(store, store.resolve("commitlog"), storeConfig.getTimerPrecisionMs());
        } catch (Exception e) {
            // Only slower: the timer walks its last 7 days once.
            log.warn("embedded broker: timer checkpoint of the new store not written: {}", e.toString());
        }

        // Remoting and fast remoting (port-2, a clone of this configuration) bind the configured host only.
        NettyServerConfig server = new NettyServerConfig();
        server.setBindAddress(cfg.host());
        server.setListenPort(cfg.brokerPort());
        BrokerController controller = new BrokerController(brokerConfig, server, new NettyClientConfig(), storeConfig,
            auth);
        try {
            if (!TlsStatics.serversWithoutTls(() -> RemotingOnlyScan.during(
                () -> NoReplicaHAService.installedDuring(controller::initialize)))) {
                throw new IllegalStateException("broker failed to initialize (is the data folder in use?)");
            }
            try {
                PatientTransactionMetricsFlush.replaceIn(controller);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Only slower: RocketMQ's own service keeps a core busy for its first 10 s.
                log.warn("embedded broker: transaction metrics flush not replaced: {}", e.toString());
            }
            controller.start();
            registerNow(controller);
            return controller;
        } catch (Exception e) {
            controller.shutdown();
            throw new IllegalStateException("embedded broker could not start on port " + cfg.brokerPort()
                + " (embedded.brokerPort; it also binds port-2): " + e.getMessage(), e);
        }
    }

    /**
     * The broker's start registers it only if its client has already found the name server reachable,
     * which it checks asynchronously, a moment later: usually not yet, and the next registration is
     * scheduled 10 s on. Until then the name server knows no route and nothing can be created or sent.
     * So: wait (briefly) for the client to reach the name server, then register at once.
     */
    private static void registerNow(BrokerController controller) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REGISTER_WAIT_SECONDS);
        while (controller.getBrokerOuterAPI().getRemotingClient().getAvailableNameSrvList().isEmpty()) {
            if (System.nanoTime() > deadline) {
                log.warn("embedded broker: name server not reachable after {} s; the broker registers on its own "
                    + "schedule (every 30 s)", REGISTER_WAIT_SECONDS);
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        controller.registerBrokerAll(true, false, true);
    }

    public String namesrvAddr() {
        return namesrvAddr;
    }

    public String brokerAddr() {
        return broker.getBrokerAddr();
    }

    /**
     * Stops broker then name server in a few seconds instead of RocketMQ's 15-37 s, losing nothing:
     * the normal shutdown still persists offsets, subscriptions and topics and flushes the store; only
     * threads that would make it wait for nothing are stopped first (see {@link #cutWaits()}).
     */
    @Override
    public void close() {
        long began = System.nanoTime();
        cutWaits();
        InProcessBrokers.stopped(broker);
        broker.shutdown();
        namesrv.shutdown();
        log.info("embedded RocketMQ stopped in {} ms", (System.nanoTime() - began) / 1_000_000);
    }

    /**
     * RocketMQ's shutdown joins its service threads one by one, and some only notice at the end of a
     * sleep: each remoting server and client's channel-event thread (up to 3 s each, five of them), the
     * POP buffer-merge service (2 s after its loop, even when merging is off) and a revive round in
     * progress (up to ~4 s). The revive service is switched off as a master turning slave is: its
     * unprocessed checkpoints and acks stay in the revive topic and are read again at the next start.
     * Store, timer and revive threads are never interrupted: an interrupt during a file operation
     * closes the file channel.
     */
    private void cutWaits() {
        try {
            RemotingStop.interruptEventThread(broker.getRemotingServer());
            RemotingStop.interruptEventThread(broker.getFastRemotingServer());
            RemotingStop.interruptEventThread(broker.getBrokerOuterAPI().getRemotingClient());
            RemotingStop.interruptEventThread(namesrv.getRemotingServer());
            RemotingStop.interruptEventThread(namesrv.getRemotingClient());
            if (broker.getPopMessageProcessor().getPopBufferMergeService() != null) {
                stopSkippingTrailingSleep(broker.getPopMessageProcessor().getPopBufferMergeService());
            }
            broker.getAckMessageProcessor().setPopReviveServiceStatus(false);
        } catch (RuntimeException e) {
            // Only slower: the normal shutdown below stops everything anyway.
            log.warn("fast stop of the embedded broker incomplete, stopping the slow way: {}", e.toString());
        }
    }

    /**
     * The buffer-merge service ends its loop at its next 5 ms turn once stopped, then sleeps 2 s before
     * a final scan. An interrupt sent with the stop usually lands in the loop's wait instead of that
     * sleep, so it is repeated until the thread ends. Merging is off in this broker (RocketMQ's
     * default), so the final scan has nothing to write and no store call is interrupted.
     */
    private static void stopSkippingTrailingSleep(ServiceThread service) {
        Thread thread = threadOf(service);
        service.makeStop();
        service.wakeup();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            while (thread != null && thread.isAlive() && System.nanoTime() < deadline) {
                thread.interrupt();
                thread.join(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.shutdown();
    }

    private static Thread threadOf(ServiceThread service) {
        try {
            Field f = ServiceThread.class.getDeclaredField("thread");
            f.setAccessible(true);
            return (Thread) f.get(service);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
