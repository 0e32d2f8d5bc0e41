package io.mqproxy.registry;

import io.mqproxy.config.MessageSchema;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.log.LogSafe;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producers and consumer groups the proxy serves: the configuration file's, with what operators
 * changed at run time applied over them. Reads are lock-free (one immutable view, swapped whole);
 * changes come from one place ({@link #apply}), and listeners hear of them after the swap.
 *
 * <p>Entries of the configuration file are the seed: a run-time change may change their settings,
 * never remove them.
 */
public final class Registry {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);

    private final Map<String, ConsumerGroup> fileConsumers = new LinkedHashMap<>();
    private final Map<String, Producer> fileProducers = new LinkedHashMap<>();
    private final ProxyConfig.GroupSettings defaults;
    private final ProxyConfig.PushDefaults pushDefaults;
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final Object applying = new Object();
    /** Run-time entries on reserved names already warned about (few: each is one an operator registered). */
    private final Set<String> warnedReserved = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile View view;
    /** Run-time schemas by their text, as compiled for the view in force (only those it uses). */
    private Map<String, MessageSchema> schemas = Map.of();

    private record View(Map<String, ConsumerGroup> consumers, Map<String, Producer> producers,
                        RuntimeEntries runtime) {
    }

    public Registry(ProxyConfig config) {
        this.defaults = config.consume().defaults();
        this.pushDefaults = config.push().defaults();
        config.consumers().forEach(c -> fileConsumers.put(c.name(), ConsumerGroup.of(c)));
        config.producers().forEach(p -> fileProducers.put(p.name(), new Producer(p.name(), p.topic(), false,
            p.schema() == null ? null : MessageSchema.compile(p.schema()))));
        view = build(RuntimeEntries.NONE);
    }

    public Optional<ConsumerGroup> consumer(String name) {
        return Optional.ofNullable(view.consumers.get(name));
    }

    /** Every group served, in name order. */
    public List<ConsumerGroup> consumers() {
        return view.consumers.values().stream().sorted(Comparator.comparing(ConsumerGroup::name)).toList();
    }

    public Optional<Producer> producer(String name) {
        return Optional.ofNullable(view.producers.get(name));
    }

    /** Every producer served, in name order. */
    public List<Producer> producers() {
        return view.producers.values().stream().sorted(Comparator.comparing(Producer::name)).toList();
    }

    /** Every topic a producer writes or a group reads: what the proxy must be able to serve. */
    public Set<String> topics() {
        View v = view;
        Set<String> topics = new java.util.TreeSet<>();
        v.producers.values().forEach(p -> topics.add(p.topic()));
        v.consumers.values().forEach(c -> topics.add(c.topic()));
        return topics;
    }

    /** Whether the group comes from the configuration file (and so cannot be unregistered). */
    public boolean fromFile(String consumer) {
        return fileConsumers.containsKey(consumer);
    }

    public boolean producerFromFile(String producer) {
        return fileProducers.containsKey(producer);
    }

    /** The group as the configuration file has it, without run-time changes; empty for a run-time group. */
    public Optional<ConsumerGroup> fileConsumer(String name) {
        return Optional.ofNullable(fileConsumers.get(name));
    }

    /**
     * The settings the configuration file's entry for the group gives a value of its own (other than
     * {@code consume.defaults}): those a view may call "from the config file". Empty for a run-time group.
     */
    public Set<String> fileSettings(String name) {
        ConsumerGroup file = fileConsumers.get(name);
        if (file == null) {
            return Set.of();
        }
        ProxyConfig.GroupSettings f = file.settings();
        ProxyConfig.GroupSettings d = defaults;
        Set<String> own = new LinkedHashSet<>();
        own(own, "maxPullSize", f.maxPullSize(), d.maxPullSize());
        own(own, "consumeTimeoutSeconds", f.consumeTimeoutSeconds(), d.consumeTimeoutSeconds());
        own(own, "minConsumeTimeoutSeconds", f.minConsumeTimeoutSeconds(), d.minConsumeTimeoutSeconds());
        own(own, "maxConsumeTimeoutSeconds", f.maxConsumeTimeoutSeconds(), d.maxConsumeTimeoutSeconds());
        own(own, "pullTimeoutSeconds", f.pullTimeoutSeconds(), d.pullTimeoutSeconds());
        own(own, "maxRetries", f.maxRetries(), d.maxRetries());
        own(own, "broadcastStart", f.broadcastStart(), d.broadcastStart());
        own(own, "clientTtlSeconds", f.clientTtlSeconds(), d.clientTtlSeconds());
        own(own, "maxClientIds", f.maxClientIds(), d.maxClientIds());
        own(own, "filter", file.filter(), null);
        return own;
    }

    private static void own(Set<String> out, String setting, Object value, Object inherited) {
        if (!Objects.equals(value, inherited)) {
            out.add(setting);
        }
    }

    /** The run-time entries in force, e.g. to show where each setting comes from. */
    public RuntimeEntries runtime() {
        return view.runtime;
    }

    /** The settings a group registered at run time starts from. */
    public ProxyConfig.GroupSettings defaults() {
        return defaults;
    }

    /** What a webhook set at run time inherits for the fields it leaves out. */
    public ProxyConfig.PushDefaults pushDefaults() {
        return pushDefaults;
    }

    public void addListener(RegistryListener listener) {
        listeners.add(listener);
    }

    /** Applies the run-time entries in force now (all of them, not a delta), then tells the listeners. */
    public void apply(RuntimeEntries runtime) {
        View before;
        View after;
        synchronized (applying) {
            before = view;
            after = build(runtime);
            view = after;
        }
        notify(before, after);
    }

    private View build(RuntimeEntries runtime) {
        Map<String, ConsumerGroup> consumers = new LinkedHashMap<>(fileConsumers);
        runtime.consumers().forEach((name, entry) -> {
            ConsumerGroup base = fileConsumers.get(name);
            if (base == null) {
                if (entry.removed() || entry.topic() == null || reserved("consumer group", name, entry.topic())) {
                    consumers.remove(name);
                    return;
                }
                base = newGroup(entry);
            }
            consumers.put(name, entry.settings().applyTo(base, !fileConsumers.containsKey(name)));
        });
        Map<String, Producer> producers = new LinkedHashMap<>(fileProducers);
        Map<String, MessageSchema> compiled = new LinkedHashMap<>();
        runtime.producers().forEach((name, entry) -> {
            Producer file = fileProducers.get(name);
            if (file != null) {
                // The file's producers keep their topic (a producer's topic is what it is); a schema may be set.
                if (entry.schema() != null && !entry.removed()) {
                    producers.put(name, new Producer(name, file.topic(), false, schema(name, entry.schema(), compiled),
                        "runtime"));
                }
                return;
            }
            if (entry.removed() || entry.topic() == null || reserved("producer", name, entry.topic())) {
                producers.remove(name);
            } else {
                producers.put(name, new Producer(name, entry.topic(), true,
                    entry.schema() == null ? null : schema(name, entry.schema(), compiled)));
            }
        });
        schemas = compiled;
        return new View(Map.copyOf(consumers), Map.copyOf(producers), runtime);
    }

    /**
     * A run-time schema, compiled once per text (the view is rebuilt at every change read). One that does not
     * compile (the control plane refuses such, so only a hand-made entry) refuses its producer's sends: a
     * schema is a promise to consumers, and an unusable one must not let everything through.
     */
    private MessageSchema schema(String producer, JsonNode schema, Map<String, MessageSchema> compiled) {
        String text = schema.toString();
        MessageSchema known = schemas.get(text);
        if (known == null) {
            try {
                known = MessageSchema.compile(schema);
            } catch (IllegalArgumentException e) {
                log.warn("producer '{}': its run-time schema {}; its sends are refused until it is set again",
                    LogSafe.of(producer), LogSafe.of(e.getMessage()));
                known = MessageSchema.unusable(e.getMessage());
            }
        }
        compiled.put(text, known);
        return known;
    }

    /**
     * Whether a run-time entry takes a name that is the proxy's or RocketMQ's own: one registered before
     * such names were refused (a producer on MQPROXY_AUDIT would let data clients forge audit records) is
     * not served. Warned about once per name.
     */
    private boolean reserved(String kind, String name, String topic) {
        String why = ResourceNames.reserved(name);
        if (why == null) {
            why = ResourceNames.reserved(topic);
        }
        if (why == null) {
            return false;
        }
        if (warnedReserved.add(kind + " " + name)) {
            log.warn("run-time {} '{}' (topic '{}') is not served: {}; unregister it", kind, name, topic, why);
        }
        return true;
    }

    private ConsumerGroup newGroup(RuntimeEntries.ConsumerEntry entry) {
        return ConsumerGroup.registered(entry.name(), entry.topic(), defaults, entry.mode(), entry.pop());
    }

    private void notify(View before, View after) {
        List<Runnable> calls = new ArrayList<>();
        Set<String> names = new HashSet<>(before.consumers.keySet());
        names.addAll(after.consumers.keySet());
        for (String name : names) {
            ConsumerGroup b = before.consumers.get(name);
            ConsumerGroup a = after.consumers.get(name);
            if (!Objects.equals(b, a)) {
                listeners.forEach(l -> calls.add(() -> l.consumerChanged(b, a)));
            }
        }
        Set<String> producerNames = new HashSet<>(before.producers.keySet());
        producerNames.addAll(after.producers.keySet());
        for (String name : producerNames) {
            Producer b = before.producers.get(name);
            Producer a = after.producers.get(name);
            if (!Objects.equals(b, a)) {
                listeners.forEach(l -> calls.add(() -> l.producerChanged(b, a)));
            }
        }
        for (Runnable call : calls) {
            try {
                call.run();
            } catch (RuntimeException e) {
                log.error("a registry listener failed", e);
            }
        }
    }
}
