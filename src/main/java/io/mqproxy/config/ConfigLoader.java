package io.mqproxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the configuration in layers: the bundled {@code defaults.yaml}, then the user's file, then
 * environment variables ({@code MQPROXY_HTTP_PRODUCE_PORT}), then flags ({@code --http.producePort=8082}).
 * Keys that the defaults do not know are refused by name, so a typo never passes silently.
 */
public final class ConfigLoader {
    static final String ENV_PREFIX = "MQPROXY_";
    /** MQPROXY_ variables read by other parts of the product, not configuration keys (logback.xml). */
    private static final Set<String> NOT_CONFIGURATION = Set.of("MQPROXY_LOG_LEVEL");
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .build();

    private ConfigLoader() {
    }

    /**
     * @param file  the user's YAML file, or null for defaults only
     * @param env   the environment (only {@code MQPROXY_*} entries are read)
     * @param flags key path to value, from {@code --key=value} arguments
     *              (consumers' filter expressions are checked for their shape only: see the overload)
     */
    public static ProxyConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        return load(file, env, flags, SubscriptionFilter.Check.SHAPE_ONLY);
    }

    /**
     * The same, with consumers' filter expressions parsed by {@code filterParser} (RocketMQ's, which
     * this package may not reach: the caller passes it in).
     */
    public static ProxyConfig load(Path file, Map<String, String> env, Map<String, String> flags,
                                   SubscriptionFilter.Check filterParser) {
        ObjectNode defaults = readDefaults();
        ObjectNode tree = defaults.deepCopy();
        if (file != null) {
            mergeInto(tree, readFile(file), "");
        }
        Map<String, String> leafKeys = scalarKeys(defaults);
        env.forEach((name, value) -> {
            if (!name.startsWith(ENV_PREFIX) || NOT_CONFIGURATION.contains(name)) {
                return;
            }
            String key = leafKeys.get(name);
            if (key == null) {
                throw new ConfigException("unknown configuration key in environment variable " + name
                    + " (known: " + String.join(", ", leafKeys.keySet()) + ")");
            }
            set(tree, key, value);
        });
        flags.forEach((key, value) -> {
            if (!leafKeys.containsValue(key)) {
                // The value is not echoed: it may be a secret given to the wrong key.
                throw new ConfigException("unknown configuration key '" + key + "' in flag --" + key + "=...");
            }
            set(tree, key, value);
        });
        applyGroupDefaults(tree);
        PushConfig.applyDefaults(tree);
        ProxyConfig config = PushConfig.withSecrets(withBrokerSecret(withWebhookSecrets(withOperatorTokens(bind(tree), env), env), env), env);
        config = withSchemaFiles(config, file == null ? Path.of("") : file.toAbsolutePath().getParent());
        ConfigValidator.validate(config, filterParser);
        return config;
    }

    private static ObjectNode readDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("defaults.yaml missing from the jar", e);
        }
    }

    private static JsonNode readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + ": not found");
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createObjectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("config file " + file + ": must be a YAML mapping of keys");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Objects merge key by key; anything else (scalars, lists) replaces. Unknown keys are caught at bind. */
    static void mergeInto(ObjectNode target, JsonNode overlay, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = target.get(f.getKey());
            if (existing instanceof ObjectNode obj && f.getValue().isObject()) {
                mergeInto(obj, f.getValue(), path + f.getKey() + ".");
            } else {
                target.set(f.getKey(), f.getValue());
            }
        }
    }

    /** Every scalar key of the defaults, by its environment variable name. */
    static Map<String, String> scalarKeys(ObjectNode defaults) {
        Map<String, String> keys = new LinkedHashMap<>();
        collect(defaults, "", keys);
        return keys;
    }

    private static void collect(JsonNode node, String prefix, Map<String, String> out) {
        node.fields().forEachRemaining(f -> {
            String key = prefix + f.getKey();
            if (f.getValue().isObject()) {
                collect(f.getValue(), key + ".", out);
            } else if (!f.getValue().isArray()) {
                out.put(envName(key), key);
            }
        });
    }

    static String envName(String key) {
        return ENV_PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
    }

    private static void set(ObjectNode tree, String key, String value) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (ObjectNode) node.get(parts[i]);
        }
        node.set(parts[parts.length - 1], TextNode.valueOf(value));
    }

    /** Each consumer entry starts from {@code consume.defaults} and overrides what it names. */
    private static void applyGroupDefaults(ObjectNode tree) {
        JsonNode defaults = tree.path("consume").path("defaults");
        JsonNode consumers = tree.get("consumers");
        if (!(consumers instanceof ArrayNode list) || !defaults.isObject()) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).isObject()) {
                ObjectNode merged = ((ObjectNode) defaults).deepCopy();
                mergeInto(merged, list.get(i), "");
                list.set(i, merged);
            }
        }
    }

    /** Operators whose token is named by {@code tokenEnv} get it from the environment, or start-up stops. */
    private static ProxyConfig withOperatorTokens(ProxyConfig c, Map<String, String> env) {
        List<ProxyConfig.Operator> resolved = new ArrayList<>();
        for (int i = 0; i < c.admin().operators().size(); i++) {
            ProxyConfig.Operator o = c.admin().operators().get(i);
            if (o.tokenEnv() != null && !o.tokenEnv().isEmpty()) {
                String token = env.get(o.tokenEnv());
                if (token == null || token.isEmpty()) {
                    throw new ConfigException("configuration key 'admin.operators[" + i + "].tokenEnv': environment "
                        + "variable " + o.tokenEnv() + " is not set");
                }
                if (o.token() != null && !o.token().isEmpty()) {
                    throw new ConfigException("configuration key 'admin.operators[" + i + "].token': give exactly "
                        + "one of token and tokenEnv");
                }
                o = new ProxyConfig.Operator(o.name(), token, null);
            }
            resolved.add(o);
        }
        List<ProxyConfig.DataCredential> credentials = new ArrayList<>();
        for (int i = 0; i < c.security().credentials().size(); i++) {
            ProxyConfig.DataCredential d = c.security().credentials().get(i);
            if (d.secretEnv() != null && !d.secretEnv().isEmpty()) {
                String secret = env.get(d.secretEnv());
                if (secret == null || secret.isEmpty()) {
                    throw new ConfigException("configuration key 'security.credentials[" + i + "].secretEnv': "
                        + "environment variable " + d.secretEnv() + " is not set");
                }
                d = new ProxyConfig.DataCredential(d.id(), secret, null, d.producers(), d.consumers());
            }
            credentials.add(d);
        }
        ProxyConfig.Security security = new ProxyConfig.Security(c.security().requireCredentials(), credentials,
            c.security().signatureWindowSeconds(), c.security().maxRememberedSignatures());
        return new ProxyConfig(c.http(), new ProxyConfig.Admin(c.admin().host(), c.admin().port(), resolved,
            c.admin().messageBodyPreviewBytes(), c.admin().tls()),
            c.broker(), c.embedded(), c.produce(), c.consume(), security, c.producers(), c.consumers(), c.monitor(), c.push(), c.stream(), c.threads(), c.tracing());
    }

    /** Webhooks whose secret is named by {@code secretEnv} get it from the environment, or start-up stops. */
    private static ProxyConfig withWebhookSecrets(ProxyConfig c, Map<String, String> env) {
        ProxyConfig.Monitor m = c.monitor();
        java.util.List<ProxyConfig.Webhook> resolved = new java.util.ArrayList<>();
        for (int i = 0; i < m.webhooks().size(); i++) {
            ProxyConfig.Webhook w = m.webhooks().get(i);
            if (w.secretEnv() != null && !w.secretEnv().isEmpty()) {
                String secret = env.get(w.secretEnv());
                if (secret == null || secret.isEmpty()) {
                    throw new ConfigException("configuration key 'monitor.webhooks[" + i + "].secretEnv': environment "
                        + "variable " + w.secretEnv() + " is not set");
                }
                if (w.secret() != null && !w.secret().isEmpty()) {
                    throw new ConfigException("configuration key 'monitor.webhooks[" + i + "].secret': give exactly "
                        + "one of secret and secretEnv");
                }
                w = new ProxyConfig.Webhook(w.url(), secret, null);
            }
            resolved.add(w);
        }
        return new ProxyConfig(c.http(), c.admin(), c.broker(), c.embedded(), c.produce(), c.consume(), c.security(),
            c.producers(), c.consumers(), new ProxyConfig.Monitor(m.enabled(), m.intervalSeconds(), m.maxClientIdSeries(),
            m.brokerCalls(), m.brokerWideFrom(), m.adminUrl(), m.rules(), m.groupRules(), resolved,
            m.webhookTimeoutSeconds(), m.webhookRetries(), m.webhookRetryMillis(), m.webhookQueue()), c.push(), c.stream(), c.threads(), c.tracing());
    }

    /** A producer's {@code schema} given as a path (relative to the configuration file's folder) is read here. */
    private static ProxyConfig withSchemaFiles(ProxyConfig c, Path folder) {
        if (c.producers().stream().noneMatch(p -> p.schema() != null && p.schema().isTextual())) {
            return c;
        }
        List<ProxyConfig.Producer> producers = new ArrayList<>();
        for (int i = 0; i < c.producers().size(); i++) {
            ProxyConfig.Producer p = c.producers().get(i);
            if (p.schema() != null && p.schema().isTextual()) {
                Path path = folder.resolve(p.schema().textValue());
                try {
                    p = new ProxyConfig.Producer(p.name(), p.topic(), new ObjectMapper().readTree(path.toFile()));
                } catch (IOException e) {
                    throw new ConfigException("configuration key 'producers[" + i + "].schema': cannot read " + path
                        + " as JSON: " + firstLine(e.getMessage()));
                }
            }
            producers.add(p);
        }
        return new ProxyConfig(c.http(), c.admin(), c.broker(), c.embedded(), c.produce(), c.consume(), c.security(),
            producers, c.consumers(), c.monitor(), c.push(), c.stream(), c.threads(), c.tracing());
    }

    /** A broker secret named by {@code secretKeyEnv} comes from the environment, or start-up stops. */
    private static ProxyConfig withBrokerSecret(ProxyConfig c, Map<String, String> env) {
        ProxyConfig.Broker b = c.broker();
        if (b.secretKeyEnv() == null || b.secretKeyEnv().isEmpty()) {
            return c;
        }
        if (b.secretKey() != null && !b.secretKey().isEmpty()) {
            throw new ConfigException("configuration key 'broker.secretKey': give exactly one of secretKey and "
                + "secretKeyEnv");
        }
        String secret = env.get(b.secretKeyEnv());
        if (secret == null || secret.isEmpty()) {
            throw new ConfigException("configuration key 'broker.secretKeyEnv': environment variable "
                + b.secretKeyEnv() + " is not set");
        }
        return new ProxyConfig(c.http(), c.admin(), new ProxyConfig.Broker(b.namesrvAddr(), b.sendTimeoutMillis(),
            b.defaultQueues(), b.clusterName(), b.accessKey(), secret, null, b.tls(), b.fleetReadSeconds()),
            c.embedded(), c.produce(), c.consume(), c.security(), c.producers(), c.consumers(), c.monitor(), c.push(), c.stream(), c.threads(), c.tracing());
    }

    private static ProxyConfig bind(ObjectNode tree) {
        try {
            return YAML.treeToValue(tree, ProxyConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown configuration key '" + path(e) + "'");
        } catch (MismatchedInputException e) {
            throw new ConfigException("configuration key '" + path(e) + "': " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration: " + firstLine(e.getOriginalMessage()));
        }
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
            .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
