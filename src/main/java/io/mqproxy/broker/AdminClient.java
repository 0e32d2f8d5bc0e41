package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.mqproxy.config.ProxyConfig;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.body.KVTable;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster administration: topics, and the name servers' KV store (clientIds, registry, alert state). Its calls
 * block, so they run at start-up or on a bounded pool, never on an event loop.
 */
public final class AdminClient implements TopicAdmin, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminClient.class);
    private static final long ROUTE_WAIT_MILLIS = 10_000;
    /** How long a topic's creation waits for the cluster's masters to be listed by a name server that answers. */
    private static final long MASTERS_WAIT_MILLIS = ROUTE_WAIT_MILLIS * 3;
    private static final long PING_TIMEOUT_MILLIS = 2_000;

    private final DefaultMQAdminExt admin;
    private final String clusterName;

    AdminClient(String namesrvAddr, String instanceName, String clusterName, long timeoutMillis,
                ClientSecurity security) {
        this.clusterName = clusterName;
        admin = new DefaultMQAdminExt(security.hook(), timeoutMillis);
        admin.setNamesrvAddr(namesrvAddr);
        admin.setInstanceName(instanceName);
        admin.setVipChannelEnabled(false);
        try {
            security.start(admin, admin::start);
        } catch (MQClientException e) {
            throw new IllegalStateException("RocketMQ admin client could not start: " + e.getMessage(), e);
        }
    }

    /**
     * Creates the topic on every master of the cluster unless it already has a route; an existing
     * topic is left as the operator made it. Waits (bounded) for a broker not yet listed by a name server
     * that answers, then until the topic is routable; fails at once when no name server answers.
     */
    public void ensureTopic(String topic, int queues) {
        ensureTopic(topic, queues, MASTERS_WAIT_MILLIS);
    }

    /** As above, waiting at most {@code mastersWaitMillis} for the cluster's masters to be listed. */
    void ensureTopic(String topic, int queues, long mastersWaitMillis) {
        if (hasRoute(topic)) {
            return;
        }
        awaitMasters(mastersWaitMillis);
        try {
            for (String addr : masterAddrs()) {
                TopicConfig config = new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE);
                admin.createAndUpdateTopicConfig(addr, config);
            }
        } catch (Exception e) {
            throw new IllegalStateException("topic '" + topic + "' could not be created: " + e.getMessage(), e);
        }
        long deadline = System.currentTimeMillis() + ROUTE_WAIT_MILLIS;
        while (!hasRoute(topic)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("topic '" + topic + "' was created but has no route after "
                    + ROUTE_WAIT_MILLIS + " ms");
            }
            sleep(20);
        }
        log.info("created topic {} with {} queues", topic, queues);
    }

    /**
     * A broker that just started may not be listed by the name server yet: wait for it, bounded. A name
     * server that cannot be reached is not waited for: each call tries the next one of the list, and once
     * every one refused in a row, no name server answers (a proxy started before its cluster: seconds here
     * would be lost for nothing, at every call).
     */
    private void awaitMasters(long waitMillis) {
        long deadline = System.currentTimeMillis() + waitMillis;
        int refusedInARow = 0;
        while (true) {
            try {
                masterAddrs();
                return;
            } catch (RemotingConnectException e) {
                if (++refusedInARow >= nameServerCount()) {
                    throw new IllegalStateException("no name server answers (" + admin.getNamesrvAddr() + "): "
                        + e.getMessage(), e);
                }
                continue;
            } catch (Exception e) {
                refusedInARow = 0;
                if (System.currentTimeMillis() >= deadline) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            sleep(100);
        }
    }

    private int nameServerCount() {
        var instance = admin.getDefaultMQAdminExtImpl().getMqClientInstance();
        List<String> list = instance == null ? null : instance.getMQClientAPIImpl().getNameServerAddressList();
        return list == null || list.isEmpty() ? 1 : list.size();
    }

    /** Whether the name server knows a route to the topic (it exists on some broker). Blocks. */
    public boolean hasRoute(String topic) {
        try {
            return !admin.examineTopicRouteInfo(topic).getQueueDatas().isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** The master address of each broker of the cluster, as the name server lists them. */
    List<String> masterAddrs() throws Exception {
        ClusterInfo info = admin.examineBrokerClusterInfo();
        List<String> addrs = new ArrayList<>();
        var names = info.getClusterAddrTable().get(clusterName);
        if (names == null) {
            throw new IllegalStateException("the name server lists no cluster named '" + clusterName
                + "' (broker.clusterName)");
        }
        for (String name : names) {
            BrokerData data = info.getBrokerAddrTable().get(name);
            String master = data == null ? null : data.getBrokerAddrs().get(0L);
            if (master != null) {
                addrs.add(master);
            }
        }
        if (addrs.isEmpty()) {
            throw new IllegalStateException("cluster '" + clusterName + "' has no master broker");
        }
        return addrs;
    }

    /** A master broker: its name and address. */
    public record Master(String brokerName, String addr) {
    }

    /** The master brokers that hold queues of the topic, by name. Blocks. */
    List<Master> mastersOf(String topic) throws Exception {
        List<Master> masters = new ArrayList<>();
        for (BrokerData b : admin.examineTopicRouteInfo(topic).getBrokerDatas()) {
            String addr = b.getBrokerAddrs().get(0L);
            if (addr != null) {
                masters.add(new Master(b.getBrokerName(), addr));
            }
        }
        if (masters.isEmpty()) {
            throw new IllegalStateException("topic '" + topic + "' has no master broker");
        }
        masters.sort(java.util.Comparator.comparing(Master::brokerName));
        return masters;
    }

    /** The master address of the named broker. */
    String masterAddr(String brokerName) throws Exception {
        BrokerData data = admin.examineBrokerClusterInfo().getBrokerAddrTable().get(brokerName);
        String master = data == null ? null : data.getBrokerAddrs().get(0L);
        if (master == null) {
            throw new IllegalStateException("broker '" + brokerName + "' has no master");
        }
        return master;
    }

    /**
     * Lets go of the queues a queue-held (orderly POP) group's clients hold: each queue's read position
     * is set to where the group has acked up to, which the broker applies at the next pop by clearing
     * the queue's lock. What a holder had not acked is delivered again, to whoever pops next. Blocks.
     *
     * @param brokerName only this broker's queues, or null for all
     * @param queueId    only this queue, or null for all
     */
    public List<ReleasedQueue> releaseHeldQueues(String topic, String group, String brokerName, Integer queueId)
        throws Exception {
        List<ReleasedQueue> released = new ArrayList<>();
        try {
            var stats = admin.examineConsumeStats(group, topic).getOffsetTable();
            for (var e : stats.entrySet()) {
                MessageQueue mq = e.getKey();
                if (!mq.getTopic().equals(topic) || brokerName != null && !brokerName.equals(mq.getBrokerName())
                    || queueId != null && queueId != mq.getQueueId()) {
                    continue;
                }
                long acked = Math.max(0, e.getValue().getConsumerOffset());
                admin.resetOffsetByQueueId(masterAddr(mq.getBrokerName()), group, topic, mq.getQueueId(), acked);
                released.add(new ReleasedQueue(mq.getBrokerName(), mq.getQueueId(), acked));
            }
        } catch (MQBrokerException | MQClientException e) {
            int code = e instanceof MQBrokerException b ? b.getResponseCode() : ((MQClientException) e).getResponseCode();
            if (code == ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST && released.isEmpty()) {
                return List.of(); // the group never consumed: the broker holds nothing for it
            }
            throw e;
        }
        return released;
    }

    /**
     * Every entry of a namespace of the name servers' KV store; empty when the namespace was never written
     * (the name server answers that as an error). Blocks.
     */
    Map<String, String> kvEntries(String namespace) throws Exception {
        try {
            KVTable table = admin.getKVListByNamespace(namespace);
            return table.getTable() == null ? Map.of() : new HashMap<>(table.getTable());
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.QUERY_NOT_FOUND) {
                return Map.of();
            }
            throw e;
        }
    }

    DefaultMQAdminExt admin() {
        return admin;
    }

    /**
     * Each master the name server lists must accept the proxy's requests as signed (or unsigned): a
     * refusal stops start-up, naming the key. A broker that cannot be reached does not: the proxy starts
     * unready, as it does without ACL. Blocks.
     */
    void checkCredentials(ProxyConfig.Broker config) {
        List<String> addrs;
        try {
            addrs = masterAddrs();
        } catch (Exception notListedYet) {
            if (config.signed()) {
                log.warn("credentials not checked at start-up: {}", notListedYet.getMessage());
            }
            return;
        }
        for (String addr : addrs) {
            try {
                admin.fetchBrokerRuntimeStats(addr);
            } catch (MQBrokerException e) {
                if (e.getResponseCode() == ResponseCode.NO_PERMISSION) {
                    throw new IllegalStateException(refusal(config, addr, e.getErrorMessage()));
                }
            } catch (Exception unreachable) {
                if (config.signed()) {
                    log.warn("credentials not checked on broker {}: {}", addr, unreachable.toString());
                }
            }
        }
    }

    private static String refusal(ProxyConfig.Broker config, String addr, String remark) {
        String why = " (the broker says: " + remark + ")";
        if (!config.signed()) {
            return "the broker at " + addr + " refused the proxy's unsigned requests" + why
                + ": it requires credentials; set broker.accessKey and broker.secretKey (or broker.secretKeyEnv)";
        }
        String key = "'" + config.accessKey() + "'";
        if (remark != null && remark.contains("not found")) {
            return "broker.accessKey " + key + ": the broker at " + addr + " refused it, no such user" + why;
        }
        if (remark != null && remark.contains("signature")) {
            return "broker.secretKey: the broker at " + addr + " refused it, not the secret of broker.accessKey "
                + key + why;
        }
        return "broker.accessKey " + key + " / broker.secretKey: the broker at " + addr + " refused them" + why;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (admin.getDefaultMQAdminExtImpl().getMqClientInstance() != null) {
            RemotingStop.interruptEventThread(
                admin.getDefaultMQAdminExtImpl().getMqClientInstance().getMQClientAPIImpl().getRemotingClient());
        }
        admin.shutdown();
    }
}
