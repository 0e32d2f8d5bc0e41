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
    Security security,
    List<Producer> producers,
    List<Consumer> consumers,
    Monitor monitor,
    Push push,
    Stream stream,
    Threads threads,
    Tracing tracing) {

    /** The same configuration with another broker section. */
    public ProxyConfig withBroker(Broker other) {
        return new ProxyConfig(http, admin, other, embedded, produce, consume, security, producers, consumers, monitor,
            push, stream, threads, tracing);
    }

    /**
     * Credentials of data clients (off by default: the contract's clients send none).
     *
     * @param requireCredentials       every data request must carry a credential granting its producer or group
     * @param signatureWindowSeconds   how far a signed request's timestamp may be from the proxy's clock
     * @param maxRememberedSignatures  signatures remembered to refuse replays within the window
     */
    public record Security(boolean requireCredentials, List<DataCredential> credentials, int signatureWindowSeconds,
                           int maxRememberedSignatures) {
        public Security {
            credentials = credentials == null ? List.of() : List.copyOf(credentials);
        }
    }

    /** A data client's credential from the configuration file; the secret inline or from the environment. */
    public record DataCredential(String id, String secret, String secretEnv, List<String> producers,
                                 List<String> consumers) {
        public DataCredential {
            producers = producers == null ? List.of() : List.copyOf(producers);
            consumers = consumers == null ? List.of() : List.copyOf(consumers);
        }

        @Override
        public String toString() {
            return "DataCredential[id=" + id + ", secret=" + (secret == null || secret.isEmpty() ? "" : "***")
                + ", secretEnv=" + secretEnv + ", producers=" + producers + ", consumers=" + consumers + "]";
        }
    }

    /**
     * The data plane: what applications call. The body budget and the time-outs hold on every port.
     *
     * @param maxBodyBytesInFlight      bytes of all request bodies being read at once; past it, 503
     * @param idleTimeoutSeconds        a connection with no request in progress is closed when no whole
     *                                  request head arrives within this (bytes trickling in do not extend it)
     * @param requestBodyTimeoutSeconds a body must be whole within this after its head; else 408
     * @param tls                       TLS on the produce and consume ports (and the admin port with {@code admin.tls})
     */
    public record Http(String host, int producePort, int consumePort, long maxBodyBytes, int eventLoops,
                       long maxBodyBytesInFlight, int idleTimeoutSeconds, int requestBodyTimeoutSeconds, Cors cors,
                       ListenerTls tls) {
    }

    /** The listeners' certificate and key, PEM files; off by default. */
    public record ListenerTls(boolean enabled, String certFile, String keyFile) {
    }

    /**
     * Which browser origins may call the data ports (never the admin port).
     *
     * @param allowedOrigins   {@code *} (the contract: any origin), or origins separated by commas
     * @param allowCredentials whether browsers may send cookies (the useCookie requestId) and auth headers
     */
    public record Cors(String allowedOrigins, boolean allowCredentials) {
    }

    /**
     * The operator's door: metrics, health and the control plane. Localhost by default.
     *
     * @param operators               who may call the control plane, each with a bearer token
     * @param messageBodyPreviewBytes message look-ups show this much of a body unless asked for all of it
     * @param tls                     the admin port speaks TLS too, with {@code http.tls}'s certificate
     */
    public record Admin(String host, int port, List<Operator> operators, int messageBodyPreviewBytes, boolean tls) {
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

    /**
     * Where the RocketMQ cluster is; an empty {@code namesrvAddr} means: start the embedded one.
     *
     * @param accessKey    the proxy's own user on an ACL-enabled cluster (empty: no credentials sent)
     * @param secretKey    its secret, given here or (better) through {@code secretKeyEnv}, which the
     *                     loader resolves into this field
     * @param secretKeyEnv the environment variable that holds the secret
     * @param tls          TLS from every RocketMQ client of the proxy to the name servers and brokers
     * @param fleetReadSeconds how often each instance asks the brokers which proxy instances are alive
     *                     (rate limits are shared among them; monitoring changes hands within two reads)
     */
    public record Broker(String namesrvAddr, int sendTimeoutMillis, int defaultQueues, String clusterName,
                         String accessKey, String secretKey, String secretKeyEnv, BrokerTls tls,
                         int fleetReadSeconds) {
        public boolean embedded() {
            return namesrvAddr == null || namesrvAddr.isBlank();
        }

        /** Whether requests to the cluster are signed with an access key. */
        public boolean signed() {
            return accessKey != null && !accessKey.isEmpty();
        }

        /** The same, its requests signed by this user (the embedded broker's, made by the proxy). */
        public Broker signedAs(String accessKey, String secretKey) {
            return new Broker(namesrvAddr, sendTimeoutMillis, defaultQueues, clusterName, accessKey, secretKey, null,
                tls, fleetReadSeconds);
        }

        /** Never prints the secret: configurations are logged and shown in errors. */
        @Override
        public String toString() {
            return "Broker[namesrvAddr=" + namesrvAddr + ", sendTimeoutMillis=" + sendTimeoutMillis
                + ", defaultQueues=" + defaultQueues + ", clusterName=" + clusterName + ", accessKey=" + accessKey
                + ", secretKey=" + (secretKey == null || secretKey.isEmpty() ? "" : "***")
                + ", secretKeyEnv=" + secretKeyEnv + ", tls=" + tls + ", fleetReadSeconds=" + fleetReadSeconds + "]";
        }
    }

    /**
     * TLS to the cluster, as RocketMQ's client does it (one setting for name servers and brokers).
     *
     * @param trustCertFile PEM certificates the servers' certificates must chain to; empty: any
     *                      certificate is accepted (the link is encrypted, the server not authenticated)
     * @param certFile      the proxy's client certificate, for servers that ask for one (PEM)
     * @param keyFile       its private key (PEM, PKCS#8)
     */
    public record BrokerTls(boolean enabled, String trustCertFile, String certFile, String keyFile) {
    }

    /**
     * The in-JVM name server and broker started when no {@code namesrvAddr} is set.
     *
     * @param flushConsumerOffsetMillis how often the broker writes consumer progress to disk: after a
     *                                  crash, about this much consumption is delivered again
     * @param timerFlushMillis          how often the broker writes its timer wheel (timed and delayed messages)
     *                                  to disk; each write compares the whole 38 MiB wheel with the file, so
     *                                  a longer interval spends less CPU while idle
     * @param acl                       name server and broker take only requests signed with the keys the
     *                                  proxy keeps in {@code <dataDir>/broker-admin.keys} (RocketMQ's ACL 2.0);
     *                                  off: anyone who reaches their ports may do anything
     */
    public record Embedded(String dataDir, String host, int namesrvPort, int brokerPort, String brokerName,
                           int commitLogFileMb, int flushConsumerOffsetMillis, int timerFlushMillis,
                           boolean acl) {
    }

    /**
     * @param maxDeliveryDelaySeconds how far ahead a deliveryTimestamp may be; the broker refuses more
     *                                (its timerMaxDelaySec, 3 days by default)
     */
    /**
     * @param coalesce whether concurrent single sends of a topic (and queue) go to the broker as one batch
     *                 while an earlier send of theirs is in flight; a send with nothing in flight goes at once
     */
    public record Produce(int maxMessageBytes, int maxBatchMessages, int maxSendsInFlight,
                          long maxDeliveryDelaySeconds, boolean coalesce) {
    }

    /**
     * @param maxBrokerWaitsPerGroup long polls of one group that wait at the broker at once (the broker
     *                               takes 1024 per group and queue); more wait in the proxy for a turn
     * @param previousRequestIdSecret the key before a rotation: requestIds it signed are still accepted
     * @param maxAcksInFlight        acks, unlocks and nacks being carried out at once
     * @param maxRememberedBatches   batches whose ack or release this instance remembers until their
     *                               consumeTimeout ends, so that a second use of a requestId is refused
     */
    public record Consume(String requestIdSecret, String previousRequestIdSecret, int maxPollsInFlight, int maxAcksInFlight, int longPollSliceMillis,
                          int maxBrokerWaitsPerGroup, int maxRememberedBatches, GroupSettings defaults) {
        /** Never prints the secret: configurations are logged and shown in errors. */
        @Override
        public String toString() {
            return "Consume[requestIdSecret=" + (requestIdSecret == null || requestIdSecret.isEmpty() ? "" : "***")
                + ", previousRequestIdSecret="
                + (previousRequestIdSecret == null || previousRequestIdSecret.isEmpty() ? "" : "***")
                + ", maxPollsInFlight=" + maxPollsInFlight + ", maxAcksInFlight=" + maxAcksInFlight
                + ", longPollSliceMillis=" + longPollSliceMillis + ", maxBrokerWaitsPerGroup=" + maxBrokerWaitsPerGroup
                + ", maxRememberedBatches=" + maxRememberedBatches + ", defaults=" + defaults + "]";
        }
    }

    /**
     * How a consumer group is served: its mode, sizes, timeouts, retries and broadcast rules. As
     * {@code consume.defaults}, what a consumer entry inherits for every setting it does not name.
     */
    public record GroupSettings(ConsumeMode mode, boolean pop, int maxPullSize, int consumeTimeoutSeconds,
                                int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds, int pullTimeoutSeconds,
                                int maxRetries, StartPosition broadcastStart, int clientTtlSeconds, int maxClientIds) {
        /** The cap on a client's consumeTimeout, with 0 resolved by the mode. */
        public int consumeTimeoutCap() {
            return ProxyConfig.consumeTimeoutCap(maxConsumeTimeoutSeconds, pop);
        }
    }

    /**
     * A producer group and the topic it writes to.
     *
     * @param schema a JSON Schema every body must match (inline; a file path in the file is read at load), or null
     */
    public record Producer(String name, String topic, com.fasterxml.jackson.databind.JsonNode schema) {
        public Producer(String name, String topic) {
            this(name, topic, null);
        }
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
     * @param filter           which of the topic's messages the group takes (by tag or SQL92); null: all.
     *                         A TAG filter of {@code *} is no filter, and is kept as null.
     */
    public record Consumer(String name, String topic, ConsumeMode mode, boolean pop, int maxPullSize,
                           int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                           int pullTimeoutSeconds, int maxRetries, StartPosition broadcastStart, int clientTtlSeconds,
                           int maxClientIds, PushEndpoint push, SubscriptionFilter filter) {
        public Consumer {
            filter = SubscriptionFilter.normalized(filter);
        }

        /** A consumer without a filter. */
        public Consumer(String name, String topic, ConsumeMode mode, boolean pop, int maxPullSize,
                        int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                        int pullTimeoutSeconds, int maxRetries, StartPosition broadcastStart, int clientTtlSeconds,
                        int maxClientIds, PushEndpoint push) {
            this(name, topic, mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
                maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds,
                maxClientIds, push, null);
        }

        public boolean broadcast() {
            return mode == ConsumeMode.BROADCAST;
        }

        /** The cap on a client's consumeTimeout, with 0 resolved by the group's mode. */
        public int consumeTimeoutCap() {
            return ProxyConfig.consumeTimeoutCap(maxConsumeTimeoutSeconds, pop);
        }

        /** The group's settings alone, without its name and topic. */
        public GroupSettings settings() {
            return new GroupSettings(mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
                maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds,
                maxClientIds);
        }
    }

    /**
     * Lag collection, alert rules and their webhooks (issue 9).
     *
     * @param intervalSeconds   lag is read from the brokers this often, by one instance of the fleet
     * @param maxClientIdSeries broadcast groups: clientIds with series of their own (the largest backlogs);
     *                          the others are summed into one series, clientId {@code _other}
     * @param brokerCalls       broker reads of one collection under way at once
     * @param brokerWideFrom    from this many groups (and broadcast clientIds) read, each broker is read in one
     *                          call for all its groups instead of one call per group
     * @param adminUrl          base of the links in notifications; empty: {@code http://<admin.host>:<admin.port>}
     * @param rules             thresholds for every group
     * @param groupRules        thresholds for named groups, over {@code rules}
     */
    public record Monitor(boolean enabled, int intervalSeconds, int maxClientIdSeries, int brokerCalls,
                          int brokerWideFrom, String adminUrl, AlertRules rules, List<GroupAlertRules> groupRules,
                          List<Webhook> webhooks, int webhookTimeoutSeconds, int webhookRetries,
                          int webhookRetryMillis, int webhookQueue) {
        public Monitor {
            groupRules = groupRules == null ? List.of() : List.copyOf(groupRules);
            webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        }
    }

    /**
     * Alert thresholds; 0 turns a rule off.
     *
     * @param backlog                  messages not yet consumed (in-flight and retries included)
     * @param oldestAgeSeconds         age of the oldest message waiting for delivery
     * @param stuckSeconds             the backlog grew and nothing was consumed for this long
     * @param deadLetters              messages dead-lettered within {@code deadLettersWindowSeconds}
     * @param deadLettersWindowSeconds the window of {@code deadLetters}
     */
    public record AlertRules(long backlog, long oldestAgeSeconds, long stuckSeconds, long deadLetters,
                             long deadLettersWindowSeconds) {
    }

    /** Thresholds for one group; a field left out (null) is the one of {@code monitor.rules}. */
    public record GroupAlertRules(String group, Long backlog, Long oldestAgeSeconds, Long stuckSeconds,
                                  Long deadLetters, Long deadLettersWindowSeconds) {
    }

    /**
     * Where firing and resolved alerts are POSTed. The secret signs each notification (HMAC-SHA256);
     * given in the file or, better, read from the environment variable named by {@code secretEnv}.
     */
    public record Webhook(String url, String secret, String secretEnv) {
        @Override
        public String toString() {
            return "Webhook[url=" + url + ", secret=" + (secret == null || secret.isEmpty() ? "" : "***")
                + ", secretEnv=" + secretEnv + "]";
        }
    }

    /**
     * Push delivery (issue 12): the webhook client, and what each consumer's {@code push:} entry
     * inherits.
     *
     * @param eventLoops event loops added to the proxy's Vert.x for the webhook client
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

    /**
     * Workers of the pools that run the proxy's blocking work (each metered as
     * {@code mqproxy_executor_*{name="<purpose>"}}); what waits past a pool's queue is refused and counted.
     *
     * @param control         control-plane calls that wait on the broker (views, resets, look-ups, audit writes)
     * @param redrive         dead-letter redrives running at once
     * @param deadLetters     moves of messages past their group's maxRetries to its dead-letter topic
     * @param clientDirectory registrations of consuming clients (broadcast and maxClients) with the broker
     * @param routeLookups    topic route look-ups at the name server for sends
     * @param alertWebhooks   alert notifications being sent at once
     */
    public record Threads(int control, int redrive, int deadLetters, int clientDirectory, int routeLookups,
                          int alertWebhooks) {
    }

    /**
     * OpenTelemetry spans of produce, poll, ack and push, exported over OTLP (HTTP, protobuf); off while
     * {@code otlpEndpoint} is empty.
     *
     * @param otlpEndpoint         the collector's traces URL, e.g. {@code http://collector:4318/v1/traces}
     * @param sampleRatio          share of new traces recorded (0..1); a request's sampled traceparent is followed
     * @param exportTimeoutSeconds one export's time-out
     * @param maxQueueSize         spans waiting for export; past it new spans are dropped (counted), never waited for
     * @param exportDelayMillis    the longest an ended span waits before it is exported (a full batch goes at once)
     */
    public record Tracing(String otlpEndpoint, String serviceName, double sampleRatio, int exportTimeoutSeconds,
                          int maxQueueSize, int exportDelayMillis) {
        public boolean enabled() {
            return otlpEndpoint != null && !otlpEndpoint.isBlank();
        }
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
