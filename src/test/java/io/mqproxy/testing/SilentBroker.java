package io.mqproxy.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.exception.RemotingCommandException;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyRemotingClient;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.body.RegisterBrokerBody;
import org.apache.rocketmq.remoting.protocol.body.TopicConfigAndMappingSerializeWrapper;
import org.apache.rocketmq.remoting.protocol.body.TopicConfigSerializeWrapper;
import org.apache.rocketmq.remoting.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.remoting.protocol.header.namesrv.RegisterBrokerRequestHeader;

/**
 * A broker that is there but never answers: registered with the shared test name server (as a real
 * broker registers itself) under its own cluster, serving one topic, on a TCP port that accepts
 * connections and reads requests but sends nothing back. Sends to its topic can only time out.
 */
public final class SilentBroker implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger acks = new AtomicInteger();
    private final NettyRemotingClient registrar;
    private final String topic;

    public SilentBroker(String topic) throws IOException {
        this(topic, "SilentCluster");
    }

    /**
     * @param clusterName the cluster it joins: the shared broker's ({@code DefaultCluster}) makes it a master
     *                    of that cluster that does not answer, as a hung or cut-off broker looks until the
     *                    name server drops it (2 minutes without a heartbeat)
     */
    public SilentBroker(String topic, String clusterName) throws IOException {
        this.topic = topic;
        String namesrv = TestBroker.get().namesrvAddr(); // first: it sets RocketMQ's process-wide properties
        server = new ServerSocket(FreePorts.any());
        Thread acceptor = new Thread(this::accept, "silent-broker");
        acceptor.setDaemon(true);
        acceptor.start();
        registrar = new NettyRemotingClient(new NettyClientConfig());
        registrar.start();
        ConcurrentMap<String, TopicConfig> topics = new ConcurrentHashMap<>();
        topics.put(topic, new TopicConfig(topic, 1, 1, PermName.PERM_READ | PermName.PERM_WRITE));
        // A first registration carrying exactly one topic is refused as a single-topic update.
        topics.put(topic + "-spare", new TopicConfig(topic + "-spare", 1, 1, PermName.PERM_READ));
        TopicConfigSerializeWrapper wrapper = new TopicConfigSerializeWrapper();
        wrapper.setTopicConfigTable(topics);
        String name = "silent-" + server.getLocalPort();
        RegisterBrokerRequestHeader header = new RegisterBrokerRequestHeader();
        header.setBrokerAddr("127.0.0.1:" + server.getLocalPort());
        header.setBrokerId(0L);
        header.setBrokerName(name);
        header.setClusterName(clusterName);
        header.setHaServerAddr("127.0.0.1:" + (server.getLocalPort() + 1));
        header.setEnableActingMaster(false);
        header.setCompressed(false);
        RegisterBrokerBody body = new RegisterBrokerBody();
        body.setTopicConfigSerializeWrapper(TopicConfigAndMappingSerializeWrapper.from(wrapper));
        body.setFilterServerList(List.of());
        byte[] encoded = body.encode(false);
        header.setBodyCrc32(UtilAll.crc32(encoded));
        RemotingCommand request = RemotingCommand.createRequestCommand(RequestCode.REGISTER_BROKER, header);
        request.setBody(encoded);
        try {
            RemotingCommand response = registrar.invokeSync(namesrv, request, 5_000);
            long deadline = System.currentTimeMillis() + 5_000;
            while (response.getCode() != 0 || !routed(topic, name)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("silent broker not registered: code " + response.getCode()
                        + " " + response.getRemark() + " version " + request.getVersion());
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            close();
            throw new IllegalStateException("silent broker not registered", e);
        }
    }

    /** The topic's route names this broker (the topic may also be on others). */
    private static boolean routed(String topic, String brokerName) {
        try {
            return TestBroker.get().admin().examineTopicRouteInfo(topic).getQueueDatas().stream()
                .anyMatch(q -> q.getBrokerName().equals(brokerName));
        } catch (Exception notYet) {
            return false;
        }
    }


    /** The name it registered under: "silent-" and its port. */
    public String brokerName() {
        return "silent-" + server.getLocalPort();
    }

    public String topic() {
        return topic;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.add(s);
                Thread reader = new Thread(() -> swallow(s), "silent-broker-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Reads each request (a length, then the command) and drops it: the broker never answers. */
    private void swallow(Socket s) {
        try (DataInputStream in = new DataInputStream(s.getInputStream())) {
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                RemotingCommand request = RemotingCommand.decode(ByteBuffer.wrap(frame));
                if (isPing(request)) {
                    pings.incrementAndGet();
                }
                if (request.getCode() == RequestCode.ACK_MESSAGE || request.getCode() == RequestCode.BATCH_ACK_MESSAGE) {
                    acks.incrementAndGet();
                }
            }
        } catch (IOException | RemotingCommandException | RuntimeException closedOrUnreadable) {
            // connection gone (or not a RocketMQ client): nothing more to count
        }
    }

    /** An empty heartbeat (no producer, no consumer): what a liveness probe sends, unlike a client's heartbeat. */
    private static boolean isPing(RemotingCommand request) {
        if (request.getCode() != RequestCode.HEART_BEAT || request.getBody() == null) {
            return false;
        }
        HeartbeatData heartbeat = HeartbeatData.decode(request.getBody(), HeartbeatData.class);
        return heartbeat.getProducerDataSet().isEmpty() && heartbeat.getConsumerDataSet().isEmpty();
    }

    /** The empty heartbeats (liveness pings) received so far, each left unanswered. */
    public int pings() {
        return pings.get();
    }

    /** The ack requests (single or batch) received so far, each left unanswered. */
    public int acks() {
        return acks.get();
    }

    @Override
    public void close() {
        registrar.shutdown();
        try {
            server.close();
            for (Socket s : connections) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
