package io.mqproxy.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import io.mqproxy.threads.ThreadPools;

/**
 * {@link ClientDirectory} in the name server's KV store, so every proxy instance sees the same directory
 * and a restart loses nothing. Its calls block on the name server, so they run on a small bounded pool of
 * their own and return futures.
 */
final class RocketMqClientDirectory implements ClientDirectory, AutoCloseable {
    private static final String NAMESPACE_PREFIX = "MQPROXY_BROADCAST_";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DefaultMQAdminExt admin;
    private final AdminClient cluster;
    private final ExecutorService calls;

    RocketMqClientDirectory(AdminClient cluster, ThreadPools pools) {
        this.calls = pools.fixed("client-directory", pools.sizes().clientDirectory(), 10_000);
        this.cluster = cluster;
        this.admin = cluster.admin();
    }

    /**
     * Registers a client on its first poll: refused when the consumer has {@code maxClients} already;
     * a new client starting at the latest message gets its offsets set to each queue's end first.
     */
    @Override
    public CompletableFuture<Admission> admit(String consumer, String topic, String brokerGroup, String clientId,
                                              int maxClients, boolean startAtLatest) {
        return run(() -> {
            if (read(consumer, brokerGroup) != null) {
                write(consumer, brokerGroup, clientId);
                return Admission.KNOWN;
            }
            if (list(consumer).size() >= maxClients) {
                return Admission.FULL;
            }
            if (startAtLatest) {
                skipToEnd(topic, brokerGroup);
            }
            write(consumer, brokerGroup, clientId);
            return Admission.NEW;
        });
    }

    /** Records activity now. */
    @Override
    public CompletableFuture<Void> touch(String consumer, String brokerGroup, String clientId) {
        return run(() -> {
            write(consumer, brokerGroup, clientId);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<Entry>> entries(String consumer) {
        return run(() -> list(consumer));
    }

    /** Forgets a client: its directory entry, and its group's configuration and offsets on every master. */
    @Override
    public CompletableFuture<Void> forget(String consumer, String brokerGroup) {
        return run(() -> {
            for (String addr : cluster.masterAddrs()) {
                admin.deleteSubscriptionGroup(addr, brokerGroup, true);
            }
            admin.deleteKvConfig(NAMESPACE_PREFIX + consumer, brokerGroup);
            return null;
        });
    }

    private void skipToEnd(String topic, String brokerGroup) throws Exception {
        for (String addr : cluster.masterAddrs()) {
            admin.createAndUpdateSubscriptionGroupConfig(addr, subscription(brokerGroup));
        }
        for (QueueData queues : admin.examineTopicRouteInfo(topic).getQueueDatas()) {
            String addr = cluster.masterAddr(queues.getBrokerName());
            for (int id = 0; id < queues.getReadQueueNums(); id++) {
                MessageQueue mq = new MessageQueue(topic, queues.getBrokerName(), id);
                admin.updateConsumeOffset(addr, brokerGroup, mq, admin.maxOffset(mq));
            }
        }
    }

    private static SubscriptionGroupConfig subscription(String group) {
        SubscriptionGroupConfig config = new SubscriptionGroupConfig();
        config.setGroupName(group);
        return config;
    }

    private String read(String consumer, String brokerGroup) throws Exception {
        try {
            return admin.getKVConfig(NAMESPACE_PREFIX + consumer, brokerGroup);
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.QUERY_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private void write(String consumer, String brokerGroup, String clientId) throws Exception {
        String value = JSON.createObjectNode().put("clientId", clientId)
            .put("lastActive", System.currentTimeMillis()).toString();
        admin.createAndUpdateKvConfig(NAMESPACE_PREFIX + consumer, brokerGroup, value);
    }

    private List<Entry> list(String consumer) throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, String> kv : cluster.kvEntries(NAMESPACE_PREFIX + consumer).entrySet()) {
            JsonNode value = JSON.readTree(kv.getValue());
            entries.add(new Entry(kv.getKey(), value.path("clientId").asText(), value.path("lastActive").asLong()));
        }
        return entries;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private <T> CompletableFuture<T> run(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(call.call());
                } catch (Exception e) {
                    result.completeExceptionally(BrokerFailure.failed("broadcast client directory: "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()), e));
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(BrokerFailure.callsFull("client directory calls", 10_000));
        }
        return result;
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
