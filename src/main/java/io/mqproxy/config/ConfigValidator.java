package io.mqproxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The rules a configuration must meet before anything starts; each failure names its key. */
final class ConfigValidator {
    /** Leaves room for the suffix of the per-clientId groups derived from a broadcast consumer. */
    static final int BROADCAST_GROUP_MAX = 92;
    private ConfigValidator() {
    }

    static void validate(ProxyConfig c) {
        validate(c, SubscriptionFilter.Check.SHAPE_ONLY);
    }

    /** @param filterParser whether a consumer's filter expression parses (RocketMQ's parser, from the caller) */
    static void validate(ProxyConfig c, SubscriptionFilter.Check filterParser) {
        port("http.producePort", c.http().producePort());
        port("http.consumePort", c.http().consumePort());
        port("admin.port", c.admin().port());
        notBlank("http.host", c.http().host());
        notBlank("admin.host", c.admin().host());
        range("http.maxBodyBytes", c.http().maxBodyBytes(), 1024, 1L << 30);
        range("http.eventLoops", c.http().eventLoops(), 0, 256);
        range("http.maxBodyBytesInFlight", c.http().maxBodyBytesInFlight(), 1024, 1L << 40);
        if (c.http().maxBodyBytesInFlight() < c.http().maxBodyBytes()) {
            fail("http.maxBodyBytesInFlight", "must be at least http.maxBodyBytes (" + c.http().maxBodyBytes()
                + "), or a body of the largest allowed size could never be read; got "
                + c.http().maxBodyBytesInFlight());
        }
        range("http.idleTimeoutSeconds", c.http().idleTimeoutSeconds(), 1, 3600);
        range("http.requestBodyTimeoutSeconds", c.http().requestBodyTimeoutSeconds(), 1, 3600);
        distinct(List.of("http.producePort", "http.consumePort", "admin.port"),
            List.of(c.http().producePort(), c.http().consumePort(), c.admin().port()));

        range("broker.sendTimeoutMillis", c.broker().sendTimeoutMillis(), 1, 600_000);
        range("broker.defaultQueues", c.broker().defaultQueues(), 1, 1024);
        range("broker.fleetReadSeconds", c.broker().fleetReadSeconds(), 1, 60);
        notBlank("broker.clusterName", c.broker().clusterName());
        if (c.broker().embedded()) {
            notBlank("embedded.dataDir", c.embedded().dataDir());
            notBlank("embedded.host", c.embedded().host());
            port("embedded.namesrvPort", c.embedded().namesrvPort());
            range("embedded.brokerPort", c.embedded().brokerPort(), 3, 65534);
            name("embedded.brokerName", c.embedded().brokerName(), 64);
            range("embedded.commitLogFileMb", c.embedded().commitLogFileMb(), 4, 1024);
            range("embedded.flushConsumerOffsetMillis", c.embedded().flushConsumerOffsetMillis(), 100, 60_000);
            range("embedded.timerFlushMillis", c.embedded().timerFlushMillis(), 100, 60_000);
        } else if (!c.broker().namesrvAddr().matches("[\\w.:;\\-\\[\\]]+")) {
            fail("broker.namesrvAddr", "must be host:port[;host:port...], got '" + c.broker().namesrvAddr() + "'");
        }

        range("produce.maxMessageBytes", c.produce().maxMessageBytes(), 1, 4 * 1024 * 1024);
        range("produce.maxBatchMessages", c.produce().maxBatchMessages(), 1, 100_000);
        range("produce.maxSendsInFlight", c.produce().maxSendsInFlight(), 1, 1_000_000);
        range("produce.maxDeliveryDelaySeconds", c.produce().maxDeliveryDelaySeconds(), 1, 10L * 365 * 86_400);
        range("consume.maxPollsInFlight", c.consume().maxPollsInFlight(), 1, 1_000_000);
        range("consume.maxAcksInFlight", c.consume().maxAcksInFlight(), 1, 1_000_000);
        range("consume.maxRememberedBatches", c.consume().maxRememberedBatches(), 0, 10_000_000);
        range("consume.longPollSliceMillis", c.consume().longPollSliceMillis(), 100, 60_000);
        range("consume.maxBrokerWaitsPerGroup", c.consume().maxBrokerWaitsPerGroup(), 1, 1024);
        if (!c.broker().embedded() && (c.consume().requestIdSecret() == null
            || c.consume().requestIdSecret().length() < 16)) {
            fail("consume.requestIdSecret", "must be at least 16 characters when broker.namesrvAddr is set: "
                + "every proxy instance must share it to accept each other's requestIds");
        }

        security(c);
        operators(c.admin().operators());
        credentials(c);
        if (c.http().cors() == null || c.http().cors().allowedOrigins() == null
            || c.http().cors().allowedOrigins().isBlank()) {
            fail("http.cors.allowedOrigins", "must be * or origins separated by commas");
        }
        String previous = c.consume().previousRequestIdSecret();
        if (previous != null && !previous.isEmpty() && previous.length() < 16) {
            fail("consume.previousRequestIdSecret", "must be at least 16 characters, or empty");
        }
        range("admin.messageBodyPreviewBytes", c.admin().messageBodyPreviewBytes(), 0, 4 * 1024 * 1024);

        // The defaults are checked under their own keys, so a bad default is named as the user wrote it.
        groupSettings("consume.defaults.", c.consume().defaults());

        Set<String> producers = new HashSet<>();
        for (int i = 0; i < c.producers().size(); i++) {
            ProxyConfig.Producer p = c.producers().get(i);
            own("producers[" + i + "].name", p.name(), 120, false);
            own("producers[" + i + "].topic", p.topic(), 127, false);
            if (p.schema() != null) {
                try {
                    MessageSchema.compile(p.schema());
                } catch (IllegalArgumentException e) {
                    fail("producers[" + i + "].schema", e.getMessage());
                }
            }
            if (!producers.add(p.name())) {
                fail("producers[" + i + "].name", "'" + p.name() + "' is declared twice");
            }
        }
        Set<String> consumers = new HashSet<>();
        for (int i = 0; i < c.consumers().size(); i++) {
            ProxyConfig.Consumer g = c.consumers().get(i);
            String key = "consumers[" + i + "].";
            own(key + "name", g.name(), 120, true);
            own(key + "topic", g.topic(), 127, false);
            if (!consumers.add(g.name())) {
                fail(key + "name", "'" + g.name() + "' is declared twice");
            }
            groupSettings(key, g.settings());
            if (g.broadcast() && g.name().length() > BROADCAST_GROUP_MAX) {
                fail(key + "name", "a broadcast consumer's name is at most " + BROADCAST_GROUP_MAX
                    + " characters: the proxy derives one broker group per clientId from it");
            }
            push(key + "push.", g);
            GroupRules.Violation f = SubscriptionFilter.check(g.filter(), filterParser);
            if (f != null) {
                fail(key + "filter." + f.setting(), f.rule());
            }
        }
        range("push.eventLoops", c.push().eventLoops(), 1, 64);
        ProxyConfig.PushDefaults d = c.push().defaults();
        // Checked alone, so that a bad default is named as written, not through the first consumer that inherits it.
        GroupRules.Violation v = PushRules.check("http://receiver/", "x".repeat(PushRules.MIN_SECRET_LENGTH), null,
            false, d.maxInFlight(), d.ratePerSecond(), d.batchSize(), d.minBackoffMillis(), d.maxBackoffMillis(),
            d.timeoutMillis(), ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS);
        if (v != null) {
            fail("push.defaults." + v.setting(), v.rule());
        }
        range("stream.heartbeatSeconds", c.stream().heartbeatSeconds(), 1, 3600);
        range("stream.maxUnacked", c.stream().maxUnacked(), 1, 1024);
        range("stream.maxStreams", c.stream().maxStreams(), 1, 1_000_000);
        threads(c.threads());
        tracing(c.tracing());

        monitor(c.monitor());
    }

    private static void tracing(ProxyConfig.Tracing t) {
        if (t.enabled()) {
            url("tracing.otlpEndpoint", t.otlpEndpoint());
        }
        notBlank("tracing.serviceName", t.serviceName());
        if (!(t.sampleRatio() >= 0 && t.sampleRatio() <= 1)) {
            fail("tracing.sampleRatio", "must be 0..1, got " + t.sampleRatio());
        }
        range("tracing.exportTimeoutSeconds", t.exportTimeoutSeconds(), 1, 300);
        range("tracing.maxQueueSize", t.maxQueueSize(), 1, 1_000_000);
        range("tracing.exportDelayMillis", t.exportDelayMillis(), 1, 300_000);
    }

    private static void threads(ProxyConfig.Threads t) {
        range("threads.control", t.control(), 1, 64);
        range("threads.redrive", t.redrive(), 1, 64);
        range("threads.deadLetters", t.deadLetters(), 1, 64);
        range("threads.clientDirectory", t.clientDirectory(), 1, 64);
        range("threads.routeLookups", t.routeLookups(), 1, 64);
        range("threads.alertWebhooks", t.alertWebhooks(), 1, 64);
    }

    private static void push(String key, ProxyConfig.Consumer g) {
        ProxyConfig.PushEndpoint p = g.push();
        if (p == null) {
            return;
        }
        // secretEnv was resolved into secret by the loader.
        GroupRules.Violation v = PushRules.check(p.url(), p.secret(), p.clientId(), g.broadcast(), p.maxInFlight(),
            p.ratePerSecond(), p.batchSize(), p.minBackoffMillis(), p.maxBackoffMillis(), p.timeoutMillis(),
            g.consumeTimeoutCap());
        if (v != null) {
            fail(key + v.setting(), v.rule());
        }
    }

    private static void monitor(ProxyConfig.Monitor m) {
        range("monitor.intervalSeconds", m.intervalSeconds(), 1, 3600);
        range("monitor.maxClientIdSeries", m.maxClientIdSeries(), 0, 1000);
        range("monitor.brokerCalls", m.brokerCalls(), 1, 64);
        range("monitor.brokerWideFrom", m.brokerWideFrom(), 1, 1_000_000);
        if (m.adminUrl() != null && !m.adminUrl().isEmpty()) {
            url("monitor.adminUrl", m.adminUrl());
        }
        if (m.rules() == null) {
            fail("monitor.rules", "must be a mapping of thresholds");
        }
        alertRules("monitor.rules.", m.rules().backlog(), m.rules().oldestAgeSeconds(), m.rules().stuckSeconds(),
            m.rules().deadLetters(), m.rules().deadLettersWindowSeconds());
        Set<String> groups = new HashSet<>();
        for (int i = 0; i < m.groupRules().size(); i++) {
            ProxyConfig.GroupAlertRules g = m.groupRules().get(i);
            String key = "monitor.groupRules[" + i + "].";
            name(key + "group", g.group(), 120);
            if (!groups.add(g.group())) {
                fail(key + "group", "'" + g.group() + "' is given twice");
            }
            alertRules(key, g.backlog(), g.oldestAgeSeconds(), g.stuckSeconds(), g.deadLetters(),
                g.deadLettersWindowSeconds());
        }
        for (int i = 0; i < m.webhooks().size(); i++) {
            ProxyConfig.Webhook w = m.webhooks().get(i);
            String key = "monitor.webhooks[" + i + "].";
            url(key + "url", w.url());
            // secretEnv was resolved into secret by the loader.
            if (w.secret() == null || w.secret().length() < 16) {
                fail(key + "secret", "give secret or secretEnv, at least 16 characters: every notification is signed "
                    + "with it so that the receiver can trust it");
            }
        }
        range("monitor.webhookTimeoutSeconds", m.webhookTimeoutSeconds(), 1, 300);
        range("monitor.webhookRetries", m.webhookRetries(), 0, 20);
        range("monitor.webhookRetryMillis", m.webhookRetryMillis(), 10, 600_000);
        range("monitor.webhookQueue", m.webhookQueue(), 1, 100_000);
    }

    /** Thresholds: null (inherited) or 0 (off) to their maximum. */
    private static void alertRules(String key, Long backlog, Long oldestAgeSeconds, Long stuckSeconds, Long deadLetters,
                                   Long window) {
        GroupRules.Violation v = AlertRuleLimits.check(backlog, oldestAgeSeconds, stuckSeconds, deadLetters, window);
        if (v != null) {
            fail(key + v.setting(), v.rule());
        }
    }

    private static void url(String key, String value) {
        try {
            java.net.URI uri = new java.net.URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                fail(key, "must be an http:// or https:// URL with a host, got '" + value + "'");
            }
        } catch (java.net.URISyntaxException | NullPointerException e) {
            fail(key, "must be an http:// or https:// URL, got '" + value + "'");
        }
    }

    /** TLS and broker credentials (issue 11): files must be there, keys come in pairs. */
    private static void security(ProxyConfig c) {
        if (c.http().tls() == null) {
            fail("http.tls", "must be a mapping (enabled, certFile, keyFile)");
        }
        if (c.broker().tls() == null) {
            fail("broker.tls", "must be a mapping (enabled, trustCertFile, certFile, keyFile)");
        }
        ProxyConfig.ListenerTls tls = c.http().tls();
        if (tls.enabled()) {
            readableFile("http.tls.certFile", tls.certFile());
            readableFile("http.tls.keyFile", tls.keyFile());
        } else if (c.admin().tls()) {
            fail("admin.tls", "needs http.tls.enabled (the admin port uses http.tls's certificate and key)");
        }
        ProxyConfig.Broker b = c.broker();
        boolean hasSecret = b.secretKey() != null && !b.secretKey().isEmpty();
        if ((b.signed() || hasSecret || b.tls().enabled()) && b.embedded()) {
            fail(b.tls().enabled() ? "broker.tls.enabled" : "broker.accessKey", "only for an external cluster "
                + "(set broker.namesrvAddr); the embedded broker has no TLS, and its keys are made by the proxy "
                + "(embedded.acl, <dataDir>/broker-admin.keys)");
        }
        if (b.signed() && !hasSecret) {
            fail("broker.secretKey", "give the secret of broker.accessKey '" + b.accessKey()
                + "' (or secretKeyEnv)");
        }
        if (!b.signed() && hasSecret) {
            fail("broker.accessKey", "a secret is given but no access key");
        }
        if (b.signed() && !b.accessKey().matches("[\\x21-\\x7e]{1,256}")) {
            fail("broker.accessKey", "must be 1..256 visible ASCII characters");
        }
        brokerTls(b.tls());
    }

    private static void brokerTls(ProxyConfig.BrokerTls t) {
        if (!t.enabled()) {
            if (notEmpty(t.trustCertFile()) || notEmpty(t.certFile()) || notEmpty(t.keyFile())) {
                fail("broker.tls.enabled", "is false, but broker.tls files are given: set it to true");
            }
            return;
        }
        if (notEmpty(t.trustCertFile())) {
            readableFile("broker.tls.trustCertFile", t.trustCertFile());
        }
        if (notEmpty(t.certFile()) != notEmpty(t.keyFile())) {
            fail(notEmpty(t.certFile()) ? "broker.tls.keyFile" : "broker.tls.certFile",
                "a client certificate needs both broker.tls.certFile and broker.tls.keyFile");
        }
        if (notEmpty(t.certFile())) {
            readableFile("broker.tls.certFile", t.certFile());
            readableFile("broker.tls.keyFile", t.keyFile());
        }
    }

    private static boolean notEmpty(String value) {
        return value != null && !value.isEmpty();
    }

    private static void readableFile(String key, String value) {
        if (!notEmpty(value)) {
            fail(key, "must name a file");
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            fail(key, "file " + value + " not found");
        }
        if (!Files.isReadable(file)) {
            fail(key, "file " + value + " cannot be read");
        }
    }

    private static void groupSettings(String key, ProxyConfig.GroupSettings g) {
        GroupRules.Violation v = GroupRules.check(g);
        if (v != null) {
            fail(key + v.setting(), v.rule());
        }
    }

    private static void credentials(ProxyConfig c) {
        range("security.signatureWindowSeconds", c.security().signatureWindowSeconds(), 1, 3_600);
        range("security.maxRememberedSignatures", c.security().maxRememberedSignatures(), 1, 10_000_000);
        Set<String> ids = new HashSet<>();
        Set<String> producers = new HashSet<>();
        c.producers().forEach(p -> producers.add(p.name()));
        for (int i = 0; i < c.security().credentials().size(); i++) {
            ProxyConfig.DataCredential d = c.security().credentials().get(i);
            String key = "security.credentials[" + i + "].";
            if (d.id() == null || !d.id().matches("[A-Za-z0-9._-]{1,64}")) {
                fail(key + "id", "must be 1..64 letters, digits, '.', '_' or '-'");
            }
            if (!ids.add(d.id())) {
                fail(key + "id", "'" + d.id() + "' is declared twice");
            }
            if (d.secret() == null || d.secret().length() < 16) {
                fail(key + "secret", "give secret (at least 16 characters) or secretEnv");
            }
            if (d.producers().isEmpty() && d.consumers().isEmpty()) {
                fail(key + "producers", "a credential grants at least one producer or consumer");
            }
        }
    }

    private static void operators(List<ProxyConfig.Operator> operators) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < operators.size(); i++) {
            ProxyConfig.Operator o = operators.get(i);
            String key = "admin.operators[" + i + "].";
            if (o.name() == null || !o.name().matches("[A-Za-z0-9._@-]{1,64}")) {
                fail(key + "name", "must be 1..64 letters, digits, '.', '_', '@' or '-'");
            }
            if (!names.add(o.name())) {
                fail(key + "name", "'" + o.name() + "' is declared twice");
            }
            // tokenEnv was resolved into token by the loader.
            if (o.token() == null || o.token().isEmpty()) {
                fail(key + "token", "give one of token and tokenEnv");
            }
            if (o.token().length() < 16) {
                fail(key + "token", "must be at least 16 characters");
            }
        }
    }

    private static void port(String key, int value) {
        range(key, value, 1, 65535);
    }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            fail(key, "must be " + min + ".." + max + ", got " + value);
        }
    }

    private static void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            fail(key, "must not be empty");
        }
    }

    private static void name(String key, String value, int maxLength) {
        String broken = ResourceNames.check(value, maxLength);
        if (broken != null) {
            fail(key, broken);
        }
    }

    /** A name a producer or group takes: legal, and not the proxy's or RocketMQ's own. */
    private static void own(String key, String value, int maxLength, boolean group) {
        String broken = ResourceNames.checkOwn(value, maxLength, group);
        if (broken != null) {
            fail(key, broken);
        }
    }

    private static void distinct(List<String> keys, List<Integer> ports) {
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (ports.get(i).equals(ports.get(j))) {
                    fail(keys.get(j), "port " + ports.get(j) + " is already used by " + keys.get(i));
                }
            }
        }
    }

    private static void fail(String key, String rule) {
        throw new ConfigException("configuration key '" + key + "': " + rule);
    }
}
