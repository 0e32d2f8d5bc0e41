package io.mqproxy.control;

import static io.mqproxy.control.CommandChecks.check;
import static io.mqproxy.control.CommandChecks.checkOwnName;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.FleetMembers;
import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.broker.GroupAdmin.QueueOffset;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.broker.TopicAdmin;
import io.mqproxy.config.MessageSchema;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.GroupOverrides;
import io.mqproxy.registry.Producer;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.registry.RuntimeEntries;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Groups and producers: what is served and where each setting comes from, and the operators' changes to
 * them (register, unregister, settings, a producer's schema) written to the run-time registry broker-side,
 * by compare-and-set, so every instance applies them within a second, and after a restart. Also topic
 * creation, which registering needs first. Each change is audited ({@link AuditedCalls}).
 */
public final class GroupCommands {
    private final Registry registry;
    private final RegistrySync sync;
    private final TopicAdmin topics;
    private final GroupAdmin groups;
    private final ClientDirectory clients;
    private final FleetMembers fleet;
    private final PropertyFilterSupport filters;
    private final int defaultQueues;
    private final AuditedCalls calls;

    GroupCommands(Registry registry, RegistrySync sync, TopicAdmin topics, GroupAdmin groups, ClientDirectory clients,
                  FleetMembers fleet, PropertyFilterSupport filters, int defaultQueues, AuditedCalls calls) {
        this.registry = registry;
        this.sync = sync;
        this.topics = topics;
        this.groups = groups;
        this.clients = clients;
        this.fleet = fleet;
        this.filters = filters;
        this.defaultQueues = defaultQueues;
        this.calls = calls;
    }

    // ---- views

    /** The consumer groups served, in name order. */
    public List<ConsumerGroup> groups() {
        return registry.consumers();
    }

    public List<Producer> producers() {
        return registry.producers();
    }

    /**
     * A group's settings, and for each where it comes from: an operator's change ({@code runtime}), the
     * group's own entry in the configuration file ({@code config}), or else {@code default}.
     */
    public GroupView group(String name) {
        ConsumerGroup g = consumer(name);
        RuntimeEntries.ConsumerEntry entry = registry.runtime().consumers().get(name);
        Map<String, String> sources = new LinkedHashMap<>();
        Set<String> changed = entry == null ? Set.of() : entry.settings().asMap().keySet();
        Set<String> fromFile = registry.fileSettings(name);
        for (String setting : GroupOverrides.SETTINGS) {
            sources.put(setting, changed.contains(setting) ? "runtime" : fromFile.contains(setting) ? "config"
                : "default");
        }
        return new GroupView(g, g.consumeTimeoutCap(), g.runtime() ? "runtime" : "config", sources);
    }

    /** A group with its resolved cap, where it was registered, and where each setting comes from. */
    public record GroupView(ConsumerGroup group, int consumeTimeoutCap, String registeredBy,
                            Map<String, String> sources) {
    }

    /** Where the group (or one broadcast clientId, or each) stands on each queue. */
    public CompletableFuture<Map<String, List<QueueOffset>>> queues(String name, String clientId) {
        ConsumerGroup g;
        try {
            g = consumer(name);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        return calls.run(() -> {
            Map<String, List<QueueOffset>> out = new LinkedHashMap<>();
            if (!g.broadcast()) {
                out.put("", groups.offsets(g.topic(), g.name()));
            } else if (clientId != null) {
                out.put(clientId, groups.offsets(g.topic(), BrokerGroups.forClient(g.name(), clientId)));
            } else {
                for (ClientDirectory.Entry e : clients.entries(g.name()).join()) {
                    out.put(e.clientId(), groups.offsets(g.topic(), e.brokerGroup()));
                }
            }
            return out;
        });
    }

    /** A broadcast group's clientIds and when each was last active. */
    public CompletableFuture<List<ClientDirectory.Entry>> clients(String name) {
        ConsumerGroup g;
        try {
            g = consumer(name);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!g.broadcast()) {
            return CompletableFuture.failedFuture(Errors.badParam("group", "'" + name + "' is not a broadcast group"));
        }
        return clients.entries(name);
    }

    /** The proxy instances the brokers see alive. */
    public Set<String> instances() {
        return fleet.instances();
    }

    // ---- changes to the registry

    /** Changes a group's settings; what the change leaves out stays as it is. */
    public CompletableFuture<ConsumerGroup> changeGroup(Actor actor, String name, GroupChange change) {
        return calls.run(() -> {
            ConsumerGroup before = consumer(name);
            check(change.applyTo(before));
            FilterSupport.require(filters, change, before.topic());
            return calls.changed(actor, groupAction(change), name, null, before,
                () -> sync.changeGroup(name, () -> groupEntry(name, change)), () -> consumer(name));
        });
    }

    /**
     * The group's run-time entry with {@code change} over the operators' earlier changes, checked: read
     * from the registry as it is now, so a compare-and-set that lost to another change applies it again.
     */
    RuntimeEntries.ConsumerEntry groupEntry(String name, GroupChange change) {
        ConsumerGroup now = consumer(name);
        check(change.applyTo(now));
        RuntimeEntries.ConsumerEntry old = registry.runtime().consumers().get(name);
        GroupOverrides merged = change.over(old == null ? GroupOverrides.NONE : old.settings());
        return now.runtime()
            ? new RuntimeEntries.ConsumerEntry(name, now.topic(), now.mode(), now.pop(), merged, false)
            : new RuntimeEntries.ConsumerEntry(name, null, null, null, merged, false);
    }

    /**
     * The audit's name for a change of settings, from what it changes, so operators read "pause" rather than a
     * generic "change-group": pause or resume, rate-limit, else set (several settings, or others).
     */
    static String groupAction(GroupChange change) {
        Set<String> set = change.settings();
        if (set.equals(Set.of("paused"))) {
            return change.equals(GroupChange.pause(true)) ? "pause" : "resume";
        }
        return set.equals(Set.of("rateLimit")) ? "rate-limit" : set.equals(Set.of("filter")) ? "filter" : "set";
    }

    /** Registers a group at run time; its topic must exist. Mode and pop are fixed from now on. */
    public CompletableFuture<ConsumerGroup> registerGroup(Actor actor, String name, String topic,
                                                          ProxyConfig.ConsumeMode mode, Boolean pop,
                                                          GroupChange settings) {
        return calls.run(() -> {
            checkOwnName("name", name, mode == ProxyConfig.ConsumeMode.BROADCAST ? 92 : ResourceNames.MAX_GROUP_LENGTH,
                true);
            checkOwnName("topic", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            if (registry.consumer(name).isPresent()) {
                throw Errors.badParam("name", "consumer group '" + name + "' is already registered");
            }
            if (!topics.hasRoute(topic)) {
                throw Errors.badParam("topic", "topic '" + topic + "' does not exist: create it first "
                    + "(POST /admin/topics)");
            }
            RuntimeEntries.ConsumerEntry entry = new RuntimeEntries.ConsumerEntry(name, topic, mode, pop,
                settings == null ? GroupOverrides.NONE : settings.overrides(), false);
            ConsumerGroup would = entry.settings().applyTo(
                ConsumerGroup.registered(name, topic, registry.defaults(), mode, pop), true);
            check(would);
            FilterSupport.require(filters, settings == null ? GroupChange.NOTHING : settings, topic);
            return calls.changed(actor, "register-group", name, null, null, () -> sync.changeGroup(name, () -> {
                if (registry.consumer(name).isPresent()) {
                    throw Errors.badParam("name", "consumer group '" + name + "' is already registered");
                }
                return entry;
            }), () -> consumer(name));
        });
    }

    /** Stops serving a group registered at run time; its broker data (offsets, retries, dead letters) stays. */
    public CompletableFuture<Void> unregisterGroup(Actor actor, String name) {
        return calls.run(() -> {
            ConsumerGroup before = consumer(name);
            if (!before.runtime()) {
                throw Errors.badParam("group", "'" + name + "' is declared in the configuration file: remove it "
                    + "there (run-time changes cannot remove what the file declares)");
            }
            return calls.changed(actor, "unregister-group", name, null, before, () -> sync.changeGroup(name, () -> {
                ConsumerGroup now = consumer(name);
                return new RuntimeEntries.ConsumerEntry(name, now.topic(), now.mode(), now.pop(), GroupOverrides.NONE,
                    true);
            }), () -> null);
        });
    }

    public CompletableFuture<Producer> registerProducer(Actor actor, String name, String topic) {
        return calls.run(() -> {
            checkOwnName("name", name, ResourceNames.MAX_GROUP_LENGTH, false);
            checkOwnName("topic", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            if (registry.producer(name).isPresent()) {
                throw Errors.badParam("name", "producer '" + name + "' is already registered");
            }
            if (!topics.hasRoute(topic)) {
                throw Errors.badParam("topic", "topic '" + topic + "' does not exist: create it first "
                    + "(POST /admin/topics)");
            }
            RuntimeEntries.ProducerEntry entry = new RuntimeEntries.ProducerEntry(name, topic, false);
            return calls.changed(actor, "register-producer", name, null, null, () -> sync.changeProducer(name, () -> {
                if (registry.producer(name).isPresent()) {
                    throw Errors.badParam("name", "producer '" + name + "' is already registered");
                }
                return entry;
            }), () -> registry.producer(name).orElseThrow());
        });
    }

    /**
     * Sets the JSON Schema a producer's bodies must match ({@code schema} null: clears the one set at run time,
     * so the configuration file's applies again, if it has one). Checked as a draft 2020-12 schema first.
     */
    public CompletableFuture<Map<String, Object>> setProducerSchema(Actor actor, String name, JsonNode schema) {
        return calls.run(() -> {
            Producer before = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
            if (schema != null) {
                try {
                    MessageSchema.compile(schema);
                } catch (IllegalArgumentException e) {
                    throw Errors.badParam("schema", e.getMessage());
                }
            }
            Map<String, Object> was = schemaView(before);
            return calls.changed(actor, schema == null ? "clear-schema" : "set-schema", name, null, was,
                () -> sync.changeProducer(name, () -> {
                    Producer now = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
                    return new RuntimeEntries.ProducerEntry(name, now.runtime() ? now.topic() : null, false, schema);
                }), () -> schemaView(registry.producer(name).orElseThrow()));
        });
    }

    private static Map<String, Object> schemaView(Producer p) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("producer", p.name());
        view.put("schema", p.schema() == null ? null : p.schema().json());
        return view;
    }

    public CompletableFuture<Void> unregisterProducer(Actor actor, String name) {
        return calls.run(() -> {
            Producer before = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
            if (!before.runtime()) {
                throw Errors.badParam("producer", "'" + name + "' is declared in the configuration file: remove it "
                    + "there");
            }
            return calls.changed(actor, "unregister-producer", name, null, before, () -> sync.changeProducer(name, () -> {
                Producer now = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
                return new RuntimeEntries.ProducerEntry(name, now.topic(), true);
            }), () -> null);
        });
    }

    /** Creates a topic on every master broker of the cluster (nothing happens if it exists). */
    public CompletableFuture<Map<String, Object>> createTopic(Actor actor, String topic, Integer queues) {
        return calls.run(() -> {
            checkOwnName("name", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            int n = queues == null ? defaultQueues : queues;
            if (n < 1 || n > 1024) {
                throw Errors.badParam("queues", "must be 1..1024, got " + n);
            }
            boolean existed = topics.hasRoute(topic);
            Map<String, Object> after = Map.of("topic", topic, "queues", n, "created", !existed);
            return calls.changed(actor, "create-topic", topic, null, null, () -> topics.ensureTopic(topic, n), () -> after);
        });
    }

    private ConsumerGroup consumer(String name) {
        return CommandChecks.consumer(registry, name);
    }
}
