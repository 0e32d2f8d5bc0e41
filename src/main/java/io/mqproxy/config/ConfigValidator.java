package io.mqproxy.config;

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
        notBlank("broker.clusterName", c.broker().clusterName());
        if (c.broker().embedded()) {
            notBlank("embedded.dataDir", c.embedded().dataDir());
            notBlank("embedded.host", c.embedded().host());
            port("embedded.namesrvPort", c.embedded().namesrvPort());
            range("embedded.brokerPort", c.embedded().brokerPort(), 3, 65534);
            name("embedded.brokerName", c.embedded().brokerName(), 64);
            range("embedded.commitLogFileMb", c.embedded().commitLogFileMb(), 4, 1024);
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

        operators(c.admin().operators());
        range("admin.messageBodyPreviewBytes", c.admin().messageBodyPreviewBytes(), 0, 4 * 1024 * 1024);

        // The defaults are checked under their own keys, so a bad default is named as the user wrote it.
        groupSettings("consume.defaults.", c.consume().defaults());

        Set<String> producers = new HashSet<>();
        for (int i = 0; i < c.producers().size(); i++) {
            ProxyConfig.Producer p = c.producers().get(i);
            name("producers[" + i + "].name", p.name(), 120);
            name("producers[" + i + "].topic", p.topic(), 127);
            if (!producers.add(p.name())) {
                fail("producers[" + i + "].name", "'" + p.name() + "' is declared twice");
            }
        }
        Set<String> consumers = new HashSet<>();
        for (int i = 0; i < c.consumers().size(); i++) {
            ProxyConfig.Consumer g = c.consumers().get(i);
            String key = "consumers[" + i + "].";
            name(key + "name", g.name(), 120);
            name(key + "topic", g.topic(), 127);
            if (!consumers.add(g.name())) {
                fail(key + "name", "'" + g.name() + "' is declared twice");
            }
            groupSettings(key, g.settings());
            if (g.broadcast() && g.name().length() > BROADCAST_GROUP_MAX) {
                fail(key + "name", "a broadcast consumer's name is at most " + BROADCAST_GROUP_MAX
                    + " characters: the proxy derives one broker group per clientId from it");
            }
            push(key + "push.", g);
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

    private static void groupSettings(String key, ProxyConfig.GroupDefaults g) {
        GroupRules.Violation v = GroupRules.check(g);
        if (v != null) {
            fail(key + v.setting(), v.rule());
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
