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
    List<Consumer> consumers,
    Push push,
    Stream stream) {

    /**
     * The data plane: what applications call. The body budget and the time-outs hold on every port.
     *
     * @param maxBodyBytesInFlight      bytes of all request bodies being read at once; past it, 503
     * @param idleTimeoutSeconds        a connection with no request in progress is closed when no whole
     *                                  request head arrives within this (bytes trickling in do not extend it)
     * @param requestBodyTimeoutSeconds a body must be whole within this after its head; else 408
     */
    public record Http(String host, int producePort, int consumePort, long maxBodyBytes, int eventLoops,
                       long maxBodyBytesInFlight, int idleTimeoutSeconds, int requestBodyTimeoutSeconds) {
    }

    /**
     * The operator's door: metrics, health and the control plane. Localhost by default.
     *
     * @param operators               who may call the control plane, each with a bearer token
     * @param messageBodyPreviewBytes message look-ups show this much of a body unless asked for all of it
     */
    public record Admin(String host, int port, List<Operator> operators, int messageBodyPreviewBytes) {
        public Admin {
            operators = operators == null ? List.of() : List.copyOf(operators);
        }
    }

    /**
     * An operator of the control plane. The token is given in the file, or (better) read from the
     * environment variable named by {@code tokenEnv}, so that the file holds no secret.
     */
    public record Operator(String name, String token, String tokenEnv) {
        @Override
        public String toString() {
            return "Operator[name=" + name + ", token=" + (token == null || token.isEmpty() ? "" : "***")
                + ", tokenEnv=" + tokenEnv + "]";
        }
    }

    /** Where the RocketMQ cluster is; an empty {@code namesrvAddr} means: start the embedded one. */
    public record Broker(String namesrvAddr, int sendTimeoutMillis, int defaultQueues, String clusterName) {
        public boolean embedded() {
            return namesrvAddr == null || namesrvAddr.isBlank();
        }
    }

    /** The in-JVM name server and broker started when no {@code namesrvAddr} is set. */
    public record Embedded(String dataDir, String host, int namesrvPort, int brokerPort, String brokerName,
                           int commitLogFileMb) {
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
     * @param maxAcksInFlight        acks, unlocks and nacks being carried out at once
     * @param maxRememberedBatches   batches whose ack or release this instance remembers until their
     *                               consumeTimeout ends, so that a second use of a requestId is refused
     */
    public record Consume(String requestIdSecret, int maxPollsInFlight, int maxAcksInFlight, int longPollSliceMillis,
                          int maxBrokerWaitsPerGroup, int maxRememberedBatches, GroupDefaults defaults) {
        /** Never prints the secret: configurations are logged and shown in errors. */
        @Override
        public String toString() {
            return "Consume[requestIdSecret=" + (requestIdSecret == null || requestIdSecret.isEmpty() ? "" : "***")
                + ", maxPollsInFlight=" + maxPollsInFlight + ", maxAcksInFlight=" + maxAcksInFlight
                + ", longPollSliceMillis=" + longPollSliceMillis + ", maxBrokerWaitsPerGroup=" + maxBrokerWaitsPerGroup
                + ", maxRememberedBatches=" + maxRememberedBatches + ", defaults=" + defaults + "]";
        }
    }

    /** What a consumer entry inherits for every setting it does not name. */
    public record GroupDefaults(ConsumeMode mode, boolean pop, int maxPullSize, int consumeTimeoutSeconds,
                                int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds, int pullTimeoutSeconds,
                                int maxRetries, StartPosition broadcastStart, int clientTtlSeconds, int maxClientIds) {
        /** The cap on a client's consumeTimeout, with 0 resolved by the mode. */
        public int consumeTimeoutCap() {
            return ProxyConfig.consumeTimeoutCap(maxConsumeTimeoutSeconds, pop);
        }
    }

    /** A producer group and the topic it writes to. */
    public record Producer(String name, String topic) {
    }

    /**
     * A consumer group, its topic and its per-group settings.
     *
     * @param maxConsumeTimeoutSeconds the longest reservation a client gets, whatever it asks for; 0:
     *                                 {@link #HELD_CONSUME_TIMEOUT_CAP} for queue-held groups (a held
     *                                 batch blocks its queue), the contract's maximum for concurrent ones
     * @param broadcastStart  where a new broadcast clientId starts reading
     * @param clientTtlSeconds a broadcast clientId idle this long is forgotten, its progress removed (0: never)
     * @param maxClientIds     most broadcast clientIds the group may have at once
     */
    public record Consumer(String name, String topic, ConsumeMode mode, boolean pop, int maxPullSize,
                           int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                           int pullTimeoutSeconds, int maxRetries, StartPosition broadcastStart, int clientTtlSeconds,
                           int maxClientIds, PushEndpoint push) {
        public boolean broadcast() {
            return mode == ConsumeMode.BROADCAST;
        }

        /** The cap on a client's consumeTimeout, with 0 resolved by the group's mode. */
        public int consumeTimeoutCap() {
            return ProxyConfig.consumeTimeoutCap(maxConsumeTimeoutSeconds, pop);
        }

        /** The group's settings alone, without its name and topic. */
        public GroupDefaults settings() {
            return new GroupDefaults(mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
                maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds,
                maxClientIds);
        }
    }

    /**
     * Push delivery (issue 12): the webhook client, and what each consumer's {@code push:} entry
     * inherits.
     *
     * @param eventLoops the webhook client's own event loops: a slow endpoint never occupies the data plane's
     */
    public record Push(int eventLoops, PushDefaults defaults) {
    }

    /** What a consumer's {@code push:} entry inherits for every field it does not name. */
    public record PushDefaults(int maxInFlight, int ratePerSecond, int batchSize, long minBackoffMillis,
                               long maxBackoffMillis, long timeoutMillis) {
    }

    /**
     * A consumer group's webhook: the proxy consumes the group itself and POSTs its messages here. Fields
     * left out come from {@code push.defaults} (the loader merges them in).
     *
     * @param secret    the HMAC key of the signature header; or read from the environment variable {@code secretEnv}
     * @param clientId  for a broadcast group: the clientId the proxy consumes as
     * @param ratePerSecond requests per second across the fleet; 0: no limit
     */
    public record PushEndpoint(String url, String secret, String secretEnv, String clientId, int maxInFlight,
                               int ratePerSecond, int batchSize, long minBackoffMillis, long maxBackoffMillis,
                               long timeoutMillis) {
        /** Never prints the secret: configurations are logged and shown in errors. */
        @Override
        public String toString() {
            return "PushEndpoint[url=" + url + ", secret=" + (secret == null || secret.isEmpty() ? "" : "***")
                + ", secretEnv=" + secretEnv + ", clientId=" + clientId + ", maxInFlight=" + maxInFlight
                + ", ratePerSecond=" + ratePerSecond + ", batchSize=" + batchSize + ", minBackoffMillis="
                + minBackoffMillis + ", maxBackoffMillis=" + maxBackoffMillis + ", timeoutMillis=" + timeoutMillis + "]";
        }
    }

    /**
     * Server-sent event streams ({@code GET /mq/stream}).
     *
     * @param heartbeatSeconds a comment line is written this often, so that proxies and load balancers keep
     *                         an idle stream open
     * @param maxUnacked       messages a stream may have written and not yet seen acked; it waits past that
     * @param maxStreams       streams open at once on this instance; past it, 503
     */
    public record Stream(int heartbeatSeconds, int maxUnacked, int maxStreams) {
    }

    /** The contract's longest consumeTimeout (36 hours). */
    public static final int MAX_CONSUME_TIMEOUT_SECONDS = 129_600;
    /** The default cap for queue-held groups: one client may block a queue for at most an hour. */
    public static final int HELD_CONSUME_TIMEOUT_CAP = 3_600;

    private static int consumeTimeoutCap(int configured, boolean pop) {
        if (configured > 0) {
            return configured;
        }
        return pop ? MAX_CONSUME_TIMEOUT_SECONDS : HELD_CONSUME_TIMEOUT_CAP;
    }

    public enum ConsumeMode { CLUSTERING, BROADCAST }

    public enum StartPosition { EARLIEST, LATEST }
}
