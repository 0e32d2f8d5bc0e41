package io.mqproxy.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * RocketMQ's rules for topic and group names, checked before anything reaches the broker; and the
 * names that belong to the proxy or to RocketMQ itself, which no producer, group or created topic may
 * take (a producer on the audit topic would let any data client write forged audit records).
 */
public final class ResourceNames {
    public static final int MAX_TOPIC_LENGTH = 127;
    /** Groups are shorter than topics: the broker derives %RETRY% and %DLQ% topics from them. */
    public static final int MAX_GROUP_LENGTH = 120;
    /** What the proxy puts between a broadcast group's name and a clientId's hash (registry.BrokerGroups). */
    public static final String BROADCAST_INFIX = "-bc-";
    private static final Pattern LEGAL = Pattern.compile("[%|a-zA-Z0-9_-]+");
    /** The shape of a broadcast clientId's group (registry.BrokerGroups.forClient): a group must not take it. */
    private static final Pattern BROADCAST_CLIENT_GROUP = Pattern.compile(Pattern.quote(BROADCAST_INFIX)
        + "[0-9a-fA-F]{24}$");

    /**
     * Prefixes (compared without case): the proxy's own topics and KV namespaces ({@code MQPROXY_AUDIT},
     * {@code MQPROXY_REGISTRY}, {@code MQPROXY_ALERTS}, {@code MQPROXY_BROADCAST_*}, its reader group
     * {@code MQPROXY_READER}); RocketMQ's system topics and groups ({@code rmq_sys_*} and its
     * {@code RMQ_SYS_*} topics, {@code CID_RMQ_SYS_*}); and every {@code %...%} namespace
     * ({@code %RETRY%}, {@code %DLQ%}, {@code %SYS%}, {@code %LMQ%}): a name starting with {@code %}.
     */
    private static final Set<String> RESERVED_PREFIXES = Set.of("mqproxy_", "rmq_sys_", "cid_rmq_sys_", "%",
        "__syslo__");
    /**
     * Whole names (compared without case). A copy of RocketMQ 5.5.0's TopicValidator system topics and
     * MixAll groups (config must not import RocketMQ: broker.ReservedNamesTest checks the copy against
     * them), and the proxy's own producer group and the admin tool's group.
     */
    static final Set<String> RESERVED_NAMES = Set.of(
        // TopicValidator.getSystemTopicSet() (those not under rmq_sys_)
        "TBW102", "SCHEDULE_TOPIC_XXXX", "BenchmarkTest", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT", "CHECKPOINT_TOPIC",
        // MixAll's groups
        "DEFAULT_PRODUCER", "DEFAULT_CONSUMER", "TOOLS_CONSUMER", "SCHEDULE_CONSUMER", "FILTERSRV_CONSUMER",
        "__MONITOR_CONSUMER", "CLIENT_INNER_PRODUCER", "SELF_TEST_P_GROUP", "SELF_TEST_C_GROUP",
        "CID_ONS-HTTP-PROXY", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER", "CID_ONSAPI_PULL",
        // the proxy's producer group (broker.ProducerClient) and DefaultMQAdminExt's group
        "mq-proxy", "admin_ext_group");
    /** RocketMQ's request-reply topic of a cluster, {@code <cluster>_REPLY_TOPIC} (MixAll.REPLY_TOPIC_POSTFIX). */
    private static final String REPLY_TOPIC_SUFFIX = "_reply_topic";
    private static final Set<String> RESERVED_LOWER = RESERVED_NAMES.stream()
        .map(n -> n.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private ResourceNames() {
    }

    /** @return null when legal, else the rule it breaks */
    public static String check(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > maxLength || !LEGAL.matcher(name).matches()) {
            return "must be 1.." + maxLength + " of letters, digits, %, |, _ and -, got '" + abbreviate(name) + "'";
        }
        return null;
    }

    /**
     * For a name a producer, a group or a created topic would take: {@link #check}, then whether the name
     * is the proxy's or RocketMQ's own.
     *
     * @param group whether it names a consumer group (which must not look like a broadcast clientId's group,
     *              {@code <group>-bc-<24 hex digits>})
     * @return null when it may be used, else the rule it breaks
     */
    public static String checkOwn(String name, int maxLength, boolean group) {
        String broken = check(name, maxLength);
        if (broken != null) {
            return broken;
        }
        String reserved = reserved(name);
        if (reserved != null) {
            return reserved;
        }
        if (group && BROADCAST_CLIENT_GROUP.matcher(name).find()) {
            return "must not end in '" + BROADCAST_INFIX + "' and 24 hex digits: the proxy names its broadcast "
                + "clientIds' groups <group>" + BROADCAST_INFIX + "<hash>, got '" + abbreviate(name) + "'";
        }
        return null;
    }

    /** @return null when the name is nobody's own, else why it is reserved */
    public static String reserved(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_LOWER.contains(lower)) {
            return "'" + abbreviate(name) + "' is reserved: RocketMQ or the proxy uses this name itself";
        }
        if (lower.endsWith(REPLY_TOPIC_SUFFIX)) {
            return "'" + abbreviate(name) + "' is reserved: RocketMQ names each cluster's request-reply topic "
                + "<cluster>_REPLY_TOPIC";
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return "'" + abbreviate(name) + "' is reserved: names starting with '" + prefix
                    + "' (any case) are RocketMQ's or the proxy's own (MQPROXY_*, %RETRY%/%DLQ%/%...%, rmq_sys_*, "
                    + "CID_RMQ_SYS_*)";
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
