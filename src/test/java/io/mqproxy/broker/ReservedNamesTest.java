package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ResourceNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.topic.TopicValidator;
import org.junit.jupiter.api.Test;

/**
 * config.ResourceNames keeps a copy of RocketMQ's own names (config must not import RocketMQ): this
 * checks the copy against the RocketMQ on the class path, so an upgrade that adds a system topic or
 * group fails here instead of leaving it open to producers and groups.
 */
class ReservedNamesTest {
    /**
     * A broker that starts adds its cluster's and its own name to RocketMQ's JVM-wide set of system topics
     * (TopicConfigManager: the cluster and broker topics, and {@code <cluster>_REPLY_TOPIC}). Cluster and broker
     * names are the operator's choice, not RocketMQ's, so they are not reserved; the reply topic is, by its suffix.
     */
    private static boolean namedAfterAClusterOrBroker(String topic) {
        return topic.matches("[A-Za-z0-9-]+") && !TopicValidator.getNotAllowedSendTopicSet().contains(topic)
            && !Set.of("TBW102", "BenchmarkTest").contains(topic);
    }

    @Test
    void everySystemTopicOfTopicValidator_isReserved() {
        assertThat(TopicValidator.getSystemTopicSet()).isNotEmpty();
        assertThat(TopicValidator.getSystemTopicSet().stream().filter(t -> !namedAfterAClusterOrBroker(t)))
            .allSatisfy(topic -> assertThat(ResourceNames.reserved(topic)).as(topic).isNotNull());
        assertThat(TopicValidator.getNotAllowedSendTopicSet())
            .allSatisfy(topic -> assertThat(ResourceNames.reserved(topic)).as(topic).isNotNull());
        assertThat(ResourceNames.reserved(TopicValidator.SYSTEM_TOPIC_PREFIX + "anything")).isNotNull();
        assertThat(ResourceNames.reserved(TopicValidator.SYNC_BROKER_MEMBER_GROUP_PREFIX + "x")).isNotNull();
        assertThat(ResourceNames.reserved("AnyCluster" + "_" + MixAll.REPLY_TOPIC_POSTFIX)).isNotNull();
    }

    @Test
    void everyStringConstantOfTopicValidator_isReserved() throws IllegalAccessException {
        for (String name : constants(TopicValidator.class, "")) {
            assertThat(ResourceNames.reserved(name)).as(name).isNotNull();
        }
    }

    @Test
    void everyGroupAndPrefixOfMixAll_isReserved() throws IllegalAccessException {
        List<String> names = new ArrayList<>(constants(MixAll.class, "_GROUP"));
        assertThat(names).contains(MixAll.TOOLS_CONSUMER_GROUP, MixAll.CLIENT_INNER_PRODUCER_GROUP);
        for (String name : names) {
            assertThat(ResourceNames.reserved(name)).as(name).isNotNull();
            assertThat(MixAll.isSysConsumerGroup(name) || ResourceNames.reserved(name) != null).isTrue();
        }
        for (String prefix : List.of(MixAll.CID_RMQ_SYS_PREFIX, MixAll.RETRY_GROUP_TOPIC_PREFIX,
            MixAll.DLQ_GROUP_TOPIC_PREFIX, MixAll.LMQ_PREFIX, MixAll.LOGICAL_QUEUE_MOCK_BROKER_PREFIX)) {
            assertThat(ResourceNames.reserved(prefix + "x")).as(prefix).isNotNull();
        }
    }

    @Test
    void theProxysOwnTopicsNamespacesAndGroups_areReserved() {
        for (String name : List.of(AuditTopic.TOPIC, RegistryStore.NAMESPACE, RegistryStore.LOG_TOPIC,
            AlertStateStore.NAMESPACE,
            "MQPROXY_BROADCAST_orders", "MQPROXY_READER", ProducerClient.GROUP, "admin_ext_group")) {
            assertThat(ResourceNames.reserved(name)).as(name).isNotNull();
        }
    }

    /** The class's public static String constants whose field name ends with {@code suffix}. */
    private static List<String> constants(Class<?> type, String suffix) throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith(suffix)
                && !f.getName().endsWith("_PREFIX") && !f.getName().contains("POSTFIX")) {
                out.add((String) f.get(null));
            }
        }
        return out;
    }
}
