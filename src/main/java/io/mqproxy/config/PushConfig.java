package io.mqproxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loader's part for push subscriptions: each consumer's {@code push:} entry starts from
 * {@code push.defaults}, and a secret named by {@code secretEnv} is read from the environment, so
 * that the file need hold no secret.
 */
final class PushConfig {
    private PushConfig() {
    }

    static void applyDefaults(ObjectNode tree) {
        JsonNode defaults = tree.path("push").path("defaults");
        JsonNode consumers = tree.get("consumers");
        if (!(consumers instanceof ArrayNode list) || !defaults.isObject()) {
            return;
        }
        for (JsonNode consumer : list) {
            if (consumer instanceof ObjectNode c && c.get("push") instanceof ObjectNode push) {
                ObjectNode merged = ((ObjectNode) defaults).deepCopy();
                ConfigLoader.mergeInto(merged, push, "");
                c.set("push", merged);
            }
        }
    }

    static ProxyConfig withSecrets(ProxyConfig c, Map<String, String> env) {
        List<ProxyConfig.Consumer> resolved = new ArrayList<>();
        for (int i = 0; i < c.consumers().size(); i++) {
            ProxyConfig.Consumer g = c.consumers().get(i);
            ProxyConfig.PushEndpoint p = g.push();
            if (p != null && p.secretEnv() != null && !p.secretEnv().isEmpty()) {
                String key = "consumers[" + i + "].push.";
                if (p.secret() != null && !p.secret().isEmpty()) {
                    throw new ConfigException("configuration key '" + key + "secret': give exactly one of secret and "
                        + "secretEnv");
                }
                String secret = env.get(p.secretEnv());
                if (secret == null || secret.isEmpty()) {
                    throw new ConfigException("configuration key '" + key + "secretEnv': environment variable "
                        + p.secretEnv() + " is not set");
                }
                p = new ProxyConfig.PushEndpoint(p.url(), secret, null, p.clientId(), p.maxInFlight(),
                    p.ratePerSecond(), p.batchSize(), p.minBackoffMillis(), p.maxBackoffMillis(), p.timeoutMillis());
                g = new ProxyConfig.Consumer(g.name(), g.topic(), g.mode(), g.pop(), g.maxPullSize(),
                    g.consumeTimeoutSeconds(), g.minConsumeTimeoutSeconds(), g.maxConsumeTimeoutSeconds(),
                    g.pullTimeoutSeconds(), g.maxRetries(), g.broadcastStart(), g.clientTtlSeconds(), g.maxClientIds(),
                    p, g.filter());
            }
            resolved.add(g);
        }
        return new ProxyConfig(c.http(), c.admin(), c.broker(), c.embedded(), c.produce(), c.consume(), c.security(), c.producers(),
            List.copyOf(resolved), c.monitor(), c.push(), c.stream(), c.threads(), c.tracing());
    }
}
