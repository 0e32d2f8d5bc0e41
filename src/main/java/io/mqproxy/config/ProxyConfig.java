package io.mqproxy.config;

import java.util.List;

/**
 * The whole configuration, immutable, validated once by {@link ConfigLoader} and passed in
 * constructors. Keys and defaults are documented in {@code defaults.yaml} and README.md.
 */
public record ProxyConfig(
    Http http,
    Admin admin,
    Broker broker,
    Embedded embedded,
    Produce produce,
    Consume consume,
    List<Producer> producers,
    List<Consumer> consumers) {

    /** The data plane: what applications call. */
    public record Http(String host, int producePort, int consumePort, long maxBodyBytes, int eventLoops) {
    }

    /** The operator's door: metrics, health, later the control plane. Localhost by default. */
    public record Admin(String host, int port) {
    }

    /** Where the RocketMQ cluster is; an empty {@code namesrvAddr} means: start the embedded one. */
    public record Broker(String namesrvAddr, int sendTimeoutMillis, int defaultQueues, String clusterName) {
        public boolean embedded() {
            return namesrvAddr == null || namesrvAddr.isBlank();
        }
    }

    /**
     * The in-JVM name server and broker started when no {@code namesrvAddr} is set.
     *
     * @param flushConsumerOffsetMillis how often the broker writes consumer progress to disk: after a
     *                                  crash, about this much consumption is delivered again
     */
    public record Embedded(String dataDir, String host, int namesrvPort, int brokerPort, String brokerName,
                           int commitLogFileMb, int flushConsumerOffsetMillis) {
    }

    /**
     * @param maxDeliveryDelaySeconds how far ahead a deliveryTimestamp may be; the broker refuses more
     *                                (its timerMaxDelaySec, 3 days by default)
     */
    public record Produce(int maxMessageBytes, int maxBatchMessages, int maxSendsInFlight,
                          long maxDeliveryDelaySeconds) {
    }

    /**
     * @param maxBrokerWaitsPerGroup long polls of one group that wait at the broker at once (the broker
     *                               takes 1024 per group and queue); more wait in the proxy for a turn
     */
    public record Consume(String requestIdSecret, int maxPollsInFlight, int longPollSliceMillis,
                          int maxBrokerWaitsPerGroup, GroupDefaults defaults) {
    }

    /** What a consumer entry inherits for every setting it does not name. */
    public record GroupDefaults(ConsumeMode mode, boolean pop, int maxPullSize, int consumeTimeoutSeconds,
                                int minConsumeTimeoutSeconds, int pullTimeoutSeconds, int maxRetries,
                                StartPosition broadcastStart, int clientTtlSeconds, int maxClientIds) {
    }

    /** A producer group and the topic it writes to. */
    public record Producer(String name, String topic) {
    }

    /** A consumer group, its topic and its per-group settings. */
    /**
     * @param broadcastStart  where a new broadcast clientId starts reading
     * @param clientTtlSeconds a broadcast clientId idle this long is forgotten, its progress removed (0: never)
     * @param maxClientIds     most broadcast clientIds the group may have at once
     */
    public record Consumer(String name, String topic, ConsumeMode mode, boolean pop, int maxPullSize,
                           int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int pullTimeoutSeconds,
                           int maxRetries, StartPosition broadcastStart, int clientTtlSeconds, int maxClientIds) {
        public boolean broadcast() {
            return mode == ConsumeMode.BROADCAST;
        }

        /** The group's settings alone, without its name and topic. */
        public GroupDefaults settings() {
            return new GroupDefaults(mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
                pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds, maxClientIds);
        }
    }

    public enum ConsumeMode { CLUSTERING, BROADCAST }

    public enum StartPosition { EARLIEST, LATEST }
}
