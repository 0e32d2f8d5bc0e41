package io.mqproxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.broker.AdminClient;
import io.mqproxy.broker.BrokerAccess;
import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.broker.GroupAdmin.QueueOffset;
import io.mqproxy.broker.GroupAdmin.StoredMessage;
import io.mqproxy.broker.RedriveHistory;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.mqproxy.config.AlertRuleLimits;
import io.mqproxy.config.GroupRules;
import io.mqproxy.config.MessageSchema;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.PushRules;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.monitor.AlertOverrides;
import io.mqproxy.monitor.AlertRuleBook;
import io.mqproxy.monitor.AlertState;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.GroupOverrides;
import io.mqproxy.registry.Producer;
import io.mqproxy.registry.PushChange;
import io.mqproxy.registry.PushSubscription;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RuntimeEntries;
import io.mqproxy.security.Credential;
import io.mqproxy.security.CredentialBook;
import io.mqproxy.security.AuditMac;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The operator's actions, free of HTTP. Changes to groups and producers are written to the run-time
 * registry broker-side (every instance applies them within a second, and after a restart); changes
 * to what a group reads are made at the broker. Each change is audited. RocketMQ's admin calls
 * block, so everything runs on a small bounded pool ({@code mqproxy-control}); a full pool is a
 * clear overload answer.
 */
public final class ControlService implements AutoCloseable {
    private static final int QUEUE = 64;
    /** How many dead letters a redrive of "all" looks at. */
    private static final int REDRIVE_SCAN = 10_000;
    /** How many dead letters a redrive by selection (and its dry run) looks at, newest first. */
    static final int SELECTION_SCAN = 100_000;
    /** How many selected dead letters a dry run shows. */
    static final int PREVIEW = 20;
    /** How many redriven entries one audit record names; a larger redrive writes several records. */
    static final int MARKS_PER_RECORD = 1_000;
    /** How many of a group's audit records (one page, newest first) the dead-letter list reads for marks. */
    static final int MARK_RECORDS = 200;
    /** A background redrive stops after this many sends failed one after the other. */
    static final int MAX_FAILURES_IN_A_ROW = 20;

    private final Registry registry;
    private final RegistrySync sync;
    private final AdminClient admin;
    private final GroupAdmin groups;
    private final ClientDirectory clients;
    private final BrokerAccess broker;
    private final AuditLog audit;
    private final String instance;
    private final int defaultQueues;
    private final MessageLookup messages;
    private final CredentialBook credentialBook;
    private final CredentialEntries credentials;
    private final Monitoring monitoring;
    private final ProxyMetrics metrics;
    private final AlertRuleEntries alertRules;
    private final RedriveJobs redrives;
    private final ExecutorService calls;

    public ControlService(Registry registry, RegistrySync sync, BrokerAccess broker, String instance,
                          int defaultQueues, int messageBodyPreviewBytes, Monitoring monitoring,
                          ProxyMetrics metrics, CredentialBook credentialBook, SecretSeal seal, AuditMac auditMac,
                          ThreadPools pools) {
        this.calls = pools.fixed("control", pools.sizes().control(), QUEUE);
        this.redrives = new RedriveJobs(pools);
        this.credentialBook = credentialBook;
        this.credentials = new CredentialEntries(credentialBook, seal);
        this.messages = new MessageLookup(registry, broker.messages(), broker.groups(), messageBodyPreviewBytes,
            this::redriveMarks);
        this.registry = registry;
        this.sync = sync;
        this.broker = broker;
        this.admin = broker.admin();
        this.groups = broker.groups();
        this.clients = broker.clients();
        this.audit = new AuditLog(broker.audit(), auditMac, instance);
        this.instance = instance;
        this.defaultQueues = defaultQueues;
        this.monitoring = monitoring;
        this.metrics = metrics;
        this.alertRules = new AlertRuleEntries(monitoring.rules());
        sync.addSection(alertRules);
        sync.addSection(credentials);
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
        return run(() -> {
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
        return broker.fleet().instances();
    }

    /**
     * A page of the audit log, newest first: one group's, producer's or topic's records (or all, null)
     * dated within [since, until], from the cursor on (null: the newest). Forged or unverified records
     * are counted, and shown flagged only with {@code withForged}.
     */
    public CompletableFuture<AuditPage> audit(String target, long since, long until, int limit, String cursor,
                                              boolean withForged) {
        return run(() -> audit.read(target, since, until, limit, cursor, withForged));
    }

    /**
     * Records a control call the HTTP edge turned away or saw fail before the service recorded anything
     * (bad parameters, unknown groups, a wrong token): {@code result} says why. Off the event loop; never
     * fails the caller (a full pool or a broker failure is logged).
     */
    public void auditRefusal(Actor actor, String source, String action, String target, String result) {
        AuditRecord record = new AuditRecord(System.currentTimeMillis(), actor == null ? null : actor.operator(),
            actor == null ? null : actor.requestId(), action, target, null, null, null, result, instance, source,
            null);
        try {
            calls.execute(() -> audit.record(record));
        } catch (RejectedExecutionException full) {
            audit.notRecorded(record, "control calls full (" + QUEUE + " queued): refusal not stored");
        }
    }

    /** For tests: a smaller bound on the messages one audit page looks at, to reach page ends cheaply. */
    void auditScanPerPage(int messages) {
        audit.scanPerPage = messages;
    }

    // ---- finding messages (reads: not audited)

    /** A message by id (every stored copy), with where it is for each group of its topic when asked. */
    public CompletableFuture<List<MessageLookup.MessageView>> message(String topic, String id, boolean states,
                                                                     String clientId, boolean fullBody) {
        return run(() -> messages.byId(topic, id, states, clientId, fullBody));
    }

    public CompletableFuture<List<MessageLookup.MessageView>> messagesByKey(String topic, String key, long since,
                                                                           long until, int limit, boolean fullBody) {
        return run(() -> messages.byKey(topic, key, since, until, limit, fullBody));
    }

    public CompletableFuture<MessageLookup.PageView> messagesByTime(String topic, long since, long until, String tag,
                                                                   int pageSize, String cursor, boolean fullBody) {
        return run(() -> messages.byTime(topic, since, until, tag, pageSize, cursor, fullBody));
    }

    // ---- changes to the registry

    /** Changes a group's settings; what the change leaves out stays as it is. */
    public CompletableFuture<ConsumerGroup> changeGroup(Actor actor, String name, GroupChange change) {
        return run(() -> {
            ConsumerGroup before = consumer(name);
            check(change.applyTo(before));
            FilterSupport.require(broker.propertyFilters(), change, before.topic());
            return changed(actor, groupAction(change), name, null, before,
                () -> sync.changeGroup(name, () -> groupEntry(name, change)), () -> consumer(name));
        });
    }

    /**
     * The group's run-time entry with {@code change} over the operators' earlier changes, checked: read
     * from the registry as it is now, so a compare-and-set that lost to another change applies it again.
     */
    private RuntimeEntries.ConsumerEntry groupEntry(String name, GroupChange change) {
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
        return run(() -> {
            checkOwnName("name", name, mode == ProxyConfig.ConsumeMode.BROADCAST ? 92 : ResourceNames.MAX_GROUP_LENGTH,
                true);
            checkOwnName("topic", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            if (registry.consumer(name).isPresent()) {
                throw Errors.badParam("name", "consumer group '" + name + "' is already registered");
            }
            if (!admin.hasRoute(topic)) {
                throw Errors.badParam("topic", "topic '" + topic + "' does not exist: create it first "
                    + "(POST /admin/topics)");
            }
            RuntimeEntries.ConsumerEntry entry = new RuntimeEntries.ConsumerEntry(name, topic, mode, pop,
                settings == null ? GroupOverrides.NONE : settings.overrides(), false);
            ConsumerGroup would = entry.settings().applyTo(new ConsumerGroup(name, topic,
                mode != null ? mode : registry.defaults().mode(), pop != null ? pop : registry.defaults().pop(),
                registry.defaults().maxPullSize(), registry.defaults().consumeTimeoutSeconds(),
                registry.defaults().minConsumeTimeoutSeconds(), registry.defaults().maxConsumeTimeoutSeconds(),
                registry.defaults().pullTimeoutSeconds(), registry.defaults().maxRetries(),
                registry.defaults().broadcastStart(), registry.defaults().clientTtlSeconds(),
                registry.defaults().maxClientIds(), false, 0, true), true);
            check(would);
            FilterSupport.require(broker.propertyFilters(), settings == null ? GroupChange.NOTHING : settings, topic);
            return changed(actor, "register-group", name, null, null, () -> sync.changeGroup(name, () -> {
                if (registry.consumer(name).isPresent()) {
                    throw Errors.badParam("name", "consumer group '" + name + "' is already registered");
                }
                return entry;
            }), () -> consumer(name));
        });
    }

    /** Stops serving a group registered at run time; its broker data (offsets, retries, dead letters) stays. */
    public CompletableFuture<Void> unregisterGroup(Actor actor, String name) {
        return run(() -> {
            ConsumerGroup before = consumer(name);
            if (!before.runtime()) {
                throw Errors.badParam("group", "'" + name + "' is declared in the configuration file: remove it "
                    + "there (run-time changes cannot remove what the file declares)");
            }
            return changed(actor, "unregister-group", name, null, before, () -> sync.changeGroup(name, () -> {
                ConsumerGroup now = consumer(name);
                return new RuntimeEntries.ConsumerEntry(name, now.topic(), now.mode(), now.pop(), GroupOverrides.NONE,
                    true);
            }), () -> null);
        });
    }

    public CompletableFuture<Producer> registerProducer(Actor actor, String name, String topic) {
        return run(() -> {
            checkOwnName("name", name, ResourceNames.MAX_GROUP_LENGTH, false);
            checkOwnName("topic", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            if (registry.producer(name).isPresent()) {
                throw Errors.badParam("name", "producer '" + name + "' is already registered");
            }
            if (!admin.hasRoute(topic)) {
                throw Errors.badParam("topic", "topic '" + topic + "' does not exist: create it first "
                    + "(POST /admin/topics)");
            }
            RuntimeEntries.ProducerEntry entry = new RuntimeEntries.ProducerEntry(name, topic, false);
            return changed(actor, "register-producer", name, null, null, () -> sync.changeProducer(name, () -> {
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
        return run(() -> {
            Producer before = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
            if (schema != null) {
                try {
                    MessageSchema.compile(schema);
                } catch (IllegalArgumentException e) {
                    throw Errors.badParam("schema", e.getMessage());
                }
            }
            Map<String, Object> was = schemaView(before);
            return changed(actor, schema == null ? "clear-schema" : "set-schema", name, null, was,
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
        return run(() -> {
            Producer before = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
            if (!before.runtime()) {
                throw Errors.badParam("producer", "'" + name + "' is declared in the configuration file: remove it "
                    + "there");
            }
            return changed(actor, "unregister-producer", name, null, before, () -> sync.changeProducer(name, () -> {
                Producer now = registry.producer(name).orElseThrow(() -> Errors.notFound("producer '" + name + "'"));
                return new RuntimeEntries.ProducerEntry(name, now.topic(), true);
            }), () -> null);
        });
    }

    /** Creates a topic on every master broker of the cluster (nothing happens if it exists). */
    public CompletableFuture<Map<String, Object>> createTopic(Actor actor, String topic, Integer queues) {
        return run(() -> {
            checkOwnName("name", topic, ResourceNames.MAX_TOPIC_LENGTH, false);
            int n = queues == null ? defaultQueues : queues;
            if (n < 1 || n > 1024) {
                throw Errors.badParam("queues", "must be 1..1024, got " + n);
            }
            boolean existed = admin.hasRoute(topic);
            Map<String, Object> after = Map.of("topic", topic, "queues", n, "created", !existed);
            return changed(actor, "create-topic", topic, null, null, () -> admin.ensureTopic(topic, n), () -> after);
        });
    }

    // ---- data clients' credentials

    /** A credential as operators see it: never its secret. */
    public record CredentialView(String id, List<String> producers, List<String> consumers, long expiresAt,
                                 String source, Long createdAt, String createdBy) {
    }

    /** What issuing a credential answers: the secret, this once. */
    public record IssuedCredential(String id, String secret, List<String> producers, List<String> consumers,
                                   long expiresAt) {
    }

    public List<CredentialView> credentials() {
        List<CredentialView> out = new ArrayList<>();
        for (Credential c : credentialBook.fromFile()) {
            out.add(new CredentialView(c.id(), sorted(c.producers()), sorted(c.consumers()), c.expiresAt(), "config",
                null, null));
        }
        credentials.current().values().stream().sorted(java.util.Comparator.comparing(CredentialEntries.Entry::id))
            .forEach(e -> out.add(new CredentialView(e.id(), e.producers(), e.consumers(), e.expiresAt(), "runtime",
                e.createdAt(), e.createdBy())));
        return out;
    }

    /**
     * Issues a credential for data clients: a random secret, granting the producers and groups named
     * (each must be registered). The secret is answered once and kept only sealed.
     */
    public CompletableFuture<IssuedCredential> issueCredential(Actor actor, String id, List<String> producers,
                                                               List<String> consumers, long expiresAt) {
        return run(() -> {
            if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
                throw Errors.badParam("id", "must be 1..64 letters, digits, '.', '_' or '-'");
            }
            if (credentialBook.all().stream().anyMatch(c -> c.id().equals(id))) {
                throw Errors.badParam("id", "credential '" + id + "' exists already: revoke it first");
            }
            if (producers.isEmpty() && consumers.isEmpty()) {
                throw Errors.badParam("producers", "a credential grants at least one producer or consumer group");
            }
            for (String p : producers) {
                if (registry.producer(p).isEmpty()) {
                    throw Errors.badParam("producers", "unknown producer '" + p + "'");
                }
            }
            for (String g : consumers) {
                if (registry.consumer(g).isEmpty()) {
                    throw Errors.badParam("consumers", "unknown consumer group '" + g + "'");
                }
            }
            if (expiresAt != 0 && expiresAt <= System.currentTimeMillis()) {
                throw Errors.badParam("expiresAt", "must be in the future (epoch ms), or 0 for never");
            }
            byte[] random = new byte[32];
            new java.security.SecureRandom().nextBytes(random);
            String secret = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            CredentialEntries.Entry entry = new CredentialEntries.Entry(id, credentials.seal(secret), sorted(producers),
                sorted(consumers), expiresAt, System.currentTimeMillis(), actor.operator());
            Map<String, Object> after = Map.of("id", id, "producers", entry.producers(), "consumers",
                entry.consumers(), "expiresAt", expiresAt);
            changed(actor, "issue-credential", id, null, null,
                () -> sync.writeEntry(credentials, id, RegistrySync.JSON.writeValueAsString(entry)), () -> after);
            return new IssuedCredential(id, secret, entry.producers(), entry.consumers(), expiresAt);
        });
    }

    /** Revokes a credential issued at run time: every instance refuses it within a second. */
    public CompletableFuture<Void> revokeCredential(Actor actor, String id) {
        return run(() -> {
            CredentialEntries.Entry entry = credentials.current().get(id);
            if (entry == null) {
                if (credentialBook.fromFile().stream().anyMatch(c -> c.id().equals(id))) {
                    throw Errors.badParam("id", "credential '" + id + "' is declared in the configuration file: "
                        + "remove it there");
                }
                throw Errors.notFound("credential '" + id + "'");
            }
            Map<String, Object> before = Map.of("id", id, "producers", entry.producers(), "consumers",
                entry.consumers());
            return changed(actor, "revoke-credential", id, null, before, () -> sync.removeEntry(credentials, id),
                () -> null);
        });
    }

    private static List<String> sorted(java.util.Collection<String> names) {
        return names.stream().sorted().toList();
    }

    // ---- changes at the broker

    /**
     * Moves where a group (or one broadcast clientId) reads: {@code timestamp} 0 is the earliest
     * message, a negative one the end (skip the backlog), else the first message stored at or after
     * it. Pending retries are dropped; batches already handed out are not recalled (their acks still
     * work, and those not acked come back once); polls waiting at the broker see the new position
     * within a long-poll slice.
     */
    public CompletableFuture<List<QueueOffset>> reset(Actor actor, String name, String clientId, long timestamp) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            String brokerGroup = brokerGroup(g, clientId);
            return changed(actor, "reset-offset", name, clientId, null,
                () -> groups.reset(g.topic(), brokerGroup, timestamp), () -> groups.offsets(g.topic(), brokerGroup));
        });
    }

    /**
     * Delivers one message again, by id, to the group (or one broadcast clientId, or every clientId
     * when {@code clientId} is "*"): it arrives in retryMsgList with its id, keys and properties.
     *
     * @return how many broker groups (the group, or its clientIds) it was delivered to
     */
    public CompletableFuture<Integer> redeliver(Actor actor, String name, String clientId, String messageId) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "re-delivery");
            if (messageId == null || messageId.isBlank()) {
                throw Errors.missing("messageId");
            }
            StoredMessage m = groups.find(g.topic(), messageId);
            if (m == null) {
                throw Errors.notFound("message '" + messageId + "' in topic '" + g.topic() + "'");
            }
            List<String> targets = targets(g, clientId);
            return changed(actor, "redeliver", name, clientId, null, () -> {
                for (String brokerGroup : targets) {
                    groups.redeliver(g.topic(), brokerGroup, m);
                    metrics.redeliveredByOperator(name, ProxyMetrics.REDELIVER, 1);
                }
            }, targets::size);
        });
    }

    /**
     * A dead letter as the list shows it: the stored copy, the redrive history it carries (it was redriven
     * and dead-lettered again), and whether the audit says it was redriven since it was dead-lettered.
     */
    public record DeadLetter(StoredMessage message, RedriveHistory history, AuditedRedrive redriven) {
    }

    /** A redrive of one dead letter, as the audit recorded it. */
    public record AuditedRedrive(String operator, long at, String job) {
    }

    /** A dry run's answer: how many the selection takes, and the first of them (newest first). */
    public record RedrivePreview(long selected, long scanned, boolean complete, List<DeadLetter> first) {
    }

    /**
     * The group's (or one broadcast clientId's) dead letters, newest first, each marked when the audit
     * records its redrive. The marks come from one bounded read of the audit: the group's newest
     * {@value #MARK_RECORDS} records not older than the oldest letter listed, within one audit page
     * ({@link AuditLog#SCAN_PER_PAGE} stored records); a redrive further back shows no mark.
     */
    public CompletableFuture<List<DeadLetter>> deadLetters(String name, String clientId, int limit) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            List<StoredMessage> letters = groups.deadLetters(brokerGroup(g, clientId), limit);
            return marked(name, clientId, letters);
        });
    }

    private List<DeadLetter> marked(String name, String clientId, List<StoredMessage> letters) throws Exception {
        if (letters.isEmpty()) {
            return List.of();
        }
        long oldest = letters.stream().mapToLong(StoredMessage::storeTimestamp).min().orElse(0);
        Map<String, AuditedRedrive> marks = redriveMarks(name, clientId, oldest);
        List<DeadLetter> out = new ArrayList<>(letters.size());
        for (StoredMessage m : letters) {
            out.add(new DeadLetter(m, RedriveHistory.of(m.properties()), marks.get(mark(m))));
        }
        return out;
    }

    /** The redrives the audit records of the group's dead letters stored since {@code oldest}, by {@link #mark}. */
    private Map<String, AuditedRedrive> redriveMarks(String name, String clientId, long oldest) throws Exception {
        Map<String, AuditedRedrive> marks = new java.util.HashMap<>();
        for (AuditRecord r : audit.read(name, oldest, Long.MAX_VALUE, MARK_RECORDS, null, false).records()) {
            if (!"redrive".equals(r.action()) || !"ok".equals(r.result())
                || !java.util.Objects.equals(clientId, r.clientId()) || !(r.after() instanceof Map<?, ?> after)
                || !(after.get("messages") instanceof List<?> entries)) {
                continue;
            }
            Object job = after.get("job");
            for (Object entry : entries) {
                // Records come newest first: the latest redrive of an entry is the one shown.
                marks.putIfAbsent(String.valueOf(entry), new AuditedRedrive(r.operator(), r.time(),
                    job == null ? null : job.toString()));
            }
        }
        return marks;
    }

    /**
     * One dead letter per id, the newest: a message dead-lettered twice is listed twice, and redriving both
     * copies would deliver it twice.
     */
    private static List<StoredMessage> newestOfEach(List<StoredMessage> letters) {
        Map<String, StoredMessage> newest = new LinkedHashMap<>();
        for (StoredMessage m : letters) {
            newest.merge(m.messageId(), m, (a, b) -> a.storeTimestamp() >= b.storeTimestamp() ? a : b);
        }
        return List.copyOf(newest.values());
    }

    /** One dead letter, as the audit names it: its id and when it was stored (an id dead-lettered twice has two). */
    static String mark(StoredMessage m) {
        return m.messageId() + "@" + m.storeTimestamp();
    }

    /**
     * Sends dead letters back into consumption (each as a retry, with its id, and the group's whole retry
     * budget again): those named, or all (null) among the newest {@value #REDRIVE_SCAN}. The dead-letter
     * topic keeps its copies; the audit names each one redriven.
     *
     * @return how many were sent back
     */
    public CompletableFuture<Integer> redrive(Actor actor, String name, String clientId, List<String> messageIds) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "redrive");
            String brokerGroup = brokerGroup(g, clientId);
            List<StoredMessage> letters = newestOfEach(groups.deadLetters(brokerGroup,
                messageIds == null ? null : new HashSet<>(messageIds), REDRIVE_SCAN));
            if (messageIds != null) {
                Set<String> missing = new HashSet<>(messageIds);
                letters.forEach(m -> missing.remove(m.messageId()));
                if (!missing.isEmpty()) {
                    throw Errors.notFound("dead letters " + missing + " of '" + name + "'");
                }
            }
            long at = System.currentTimeMillis();
            List<String> marks = new ArrayList<>();
            changed(actor, "redrive", name, clientId, null, () -> {
                for (StoredMessage m : letters) {
                    groups.redrive(g.topic(), brokerGroup, m, actor.operator(), at);
                    marks.add(mark(m));
                    metrics.redeliveredByOperator(name, ProxyMetrics.REDRIVE, 1);
                }
            }, () -> redriveRecord(null, "done", messageIds == null ? DeadLetterSelection.ALL
                : DeadLetterSelection.ofIds(new HashSet<>(messageIds)), letters.size(), 0, firstMarks(marks)));
            auditMoreMarks(actor, name, clientId, null, marks);
            return letters.size();
        });
    }

    /**
     * A dry run: how many dead letters the selection takes among the newest {@value #SELECTION_SCAN}, and
     * the first {@value #PREVIEW} of them. Nothing moves; not audited (a read).
     */
    public CompletableFuture<RedrivePreview> previewRedrive(String name, String clientId,
                                                            DeadLetterSelection selection) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "redrive");
            long[] selected = {0};
            List<StoredMessage> first = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            int scanned = groups.forEachDeadLetter(brokerGroup(g, clientId), SELECTION_SCAN, m -> {
                // Newest first: an id dead-lettered twice counts once, as the redrive sends it once.
                if (selection.matches(m) && seen.add(m.messageId())) {
                    selected[0]++;
                    if (first.size() < PREVIEW) {
                        first.add(m);
                    }
                }
                return true;
            });
            return new RedrivePreview(selected[0], scanned, scanned < SELECTION_SCAN, marked(name, clientId, first));
        });
    }

    /**
     * Starts a redrive by selection in the background, at {@code ratePerSecond} (null: as fast as the
     * broker takes them), looking at the newest {@value #SELECTION_SCAN} dead letters. One per group at a
     * time (409 otherwise). Audited when it starts, and as it goes (each record names up to
     * {@value #MARKS_PER_RECORD} redriven entries), and when it ends.
     */
    public CompletableFuture<RedriveJobs.Progress> startRedrive(Actor actor, String name, String clientId,
                                                                DeadLetterSelection selection,
                                                                Integer ratePerSecond) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "redrive");
            String brokerGroup = brokerGroup(g, clientId);
            RedriveJobs.Job[] started = new RedriveJobs.Job[1];
            changed(actor, "redrive", name, clientId, null,
                () -> started[0] = redrives.start(brokerGroup, name, clientId, actor.operator(), selection,
                    ratePerSecond, job -> runRedrive(job, actor, g, brokerGroup)),
                () -> redriveRecord(started[0].id, "running", selection, 0, 0, null));
            return started[0].progress();
        });
    }

    /** A background redrive's progress, on the instance that runs it. */
    public RedriveJobs.Progress redriveProgress(String name, String id) {
        consumer(name);
        return redrives.progress(name, id);
    }

    private void runRedrive(RedriveJobs.Job job, Actor actor, ConsumerGroup g, String brokerGroup) {
        Bucket bucket = job.ratePerSecond == null ? null : Bucket.builder().addLimit(Bandwidth.builder()
            .capacity(job.ratePerSecond).refillGreedy(job.ratePerSecond, java.time.Duration.ofSeconds(1))
            .build()).build();
        List<String> marks = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int[] failedInARow = {0};
        long at = System.currentTimeMillis();
        String result = "ok";
        try {
            int scanned = groups.forEachDeadLetter(brokerGroup, SELECTION_SCAN, m -> {
                job.scanned.incrementAndGet();
                // Newest first: an id dead-lettered twice is sent once (its newest copy).
                if (!job.selection.matches(m) || !seen.add(m.messageId())) {
                    return true;
                }
                job.selected.incrementAndGet();
                if (bucket != null) {
                    try {
                        bucket.asBlocking().consume(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("stopped: the proxy is shutting down");
                    }
                }
                try {
                    groups.redrive(g.topic(), brokerGroup, m, actor.operator(), at);
                    job.redriven.incrementAndGet();
                    metrics.redeliveredByOperator(g.name(), ProxyMetrics.REDRIVE, 1);
                    marks.add(mark(m));
                    failedInARow[0] = 0;
                    if (marks.size() == MARKS_PER_RECORD) {
                        audit.record(actor, "redrive", g.name(), job.clientId, null,
                            redriveRecord(job.id, "running", job.selection, job.redriven.get(), job.failed.get(),
                                marks), "ok");
                        marks.clear();
                    }
                } catch (Exception e) {
                    job.failed.incrementAndGet();
                    job.error = e.getMessage() == null ? e.toString() : e.getMessage();
                    if (++failedInARow[0] >= MAX_FAILURES_IN_A_ROW) {
                        // The broker refuses them all: stop rather than walk the rest of the dead letters.
                        throw new IllegalStateException("stopped after " + MAX_FAILURES_IN_A_ROW + " failures in a "
                            + "row, the last: " + job.error);
                    }
                }
                return true;
            });
            job.scanned.set(scanned);
        } catch (RuntimeException e) {
            result = "failed: " + e.getMessage();
            throw e;
        } catch (Exception e) {
            result = "failed: " + e.getMessage();
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            audit.record(actor, "redrive", g.name(), job.clientId, null, redriveRecord(job.id,
                result.equals("ok") ? "done" : "failed", job.selection, job.redriven.get(), job.failed.get(),
                marks), result);
        }
    }

    private static Map<String, Object> redriveRecord(String job, String state, DeadLetterSelection selection,
                                                     long redriven, long failed, List<String> marks) {
        Map<String, Object> after = new LinkedHashMap<>();
        if (job != null) {
            after.put("job", job);
        }
        after.put("state", state);
        after.put("selection", selection.describe());
        after.put("redriven", redriven);
        after.put("failed", failed);
        if (marks != null) {
            after.put("messages", List.copyOf(marks));
        }
        return after;
    }

    private static List<String> firstMarks(List<String> marks) {
        return marks.size() <= MARKS_PER_RECORD ? marks : marks.subList(0, MARKS_PER_RECORD);
    }

    /** The entries of a large redrive beyond its first record's, in records of their own. */
    private void auditMoreMarks(Actor actor, String name, String clientId, String job, List<String> marks) {
        for (int from = MARKS_PER_RECORD; from < marks.size(); from += MARKS_PER_RECORD) {
            List<String> part = marks.subList(from, Math.min(marks.size(), from + MARKS_PER_RECORD));
            audit.record(actor, "redrive", name, clientId, null, redriveRecord(job, "done",
                DeadLetterSelection.ALL, part.size(), 0, part), "ok");
        }
    }

    /**
     * Lets go of the queues that clients of a queue-held group hold (all, or one broker's, or one),
     * so that a client that took a batch and never came back stops blocking them. What it had not
     * acked is delivered again to the next client.
     */
    public CompletableFuture<List<AdminClient.ReleasedQueue>> releaseHeldQueues(Actor actor, String group,
                                                                              String clientId, String brokerName,
                                                                              Integer queueId) {
        return run(() -> {
            ConsumerGroup consumer = consumer(group);
            if (consumer.pop()) {
                throw Errors.badParam("group", "'" + group + "' is concurrent (pop=true): no client holds a queue "
                    + "there");
            }
            String brokerGroup = brokerGroup(consumer, clientId);
            List<AdminClient.ReleasedQueue> released = new ArrayList<>();
            return changed(actor, "release-held-queues", group, clientId, null,
                () -> released.addAll(admin.releaseHeldQueues(consumer.topic(), brokerGroup, brokerName, queueId)),
                () -> released);
        });
    }

    // ---- the console's debug tools (issue 13)

    /**
     * The group's (or one broadcast clientId's) next messages, read after its committed offsets without
     * reserving anything: a look, not a consumption (not audited, like the other reads).
     */
    public CompletableFuture<List<GroupAdmin.Peeked>> peek(String name, String clientId, int limit) {
        return run(() -> {
            ConsumerGroup g = consumer(name);
            return groups.peek(g.topic(), brokerGroup(g, clientId), limit);
        });
    }

    /**
     * Sends an operator's test message through a registered producer ({@code send} does it, through
     * the produce service): audited, since it is a real message that the topic's consumers receive.
     */
    public <T> CompletableFuture<T> sendTestMessage(Actor actor, String producer,
                                                    java.util.function.Supplier<CompletableFuture<T>> send) {
        return run(() -> {
            registry.producer(producer).orElseThrow(() -> Errors.notFound("producer '" + producer + "'"));
            return changed(actor, "test-message", producer, null, null, () -> { }, () -> {
                try {
                    return send.get().get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof ProxyError error) {
                        throw error;
                    }
                    throw e;
                }
            });
        });
    }

    // ---- alert rules and alerts (issue 9)

    /** The alert thresholds every group starts from, with where each comes from. */
    public AlertRuleBook.View alertDefaults() {
        return monitoring.rules().defaults();
    }

    /** A group's alert thresholds, with where each comes from. */
    public AlertRuleBook.View alertRules(String group) {
        consumer(group);
        return monitoring.rules().view(group);
    }

    /**
     * Sets the operator's alert thresholds for a group, or the defaults (null group): the fields given
     * replace the run-time entry; those left out come from the layers below (docs/monitoring.md).
     */
    public CompletableFuture<AlertRuleBook.View> setAlertRules(Actor actor, String group, AlertOverrides rules) {
        return run(() -> {
            if (group != null) {
                consumer(group);
            }
            GroupRules.Violation v = AlertRuleLimits.check(rules.backlog(), rules.oldestAgeSeconds(),
                rules.stuckSeconds(), rules.deadLetters(), rules.deadLettersWindowSeconds());
            if (v != null) {
                throw Errors.badParam(v.setting(), v.rule());
            }
            AlertRuleBook.View before = alertView(group);
            return changed(actor, "set-alert-rules", alertTarget(group), null, before, () -> sync.writeEntry(alertRules,
                AlertRuleEntries.key(group), RegistrySync.JSON.writeValueAsString(rules)), () -> alertView(group));
        });
    }

    /** Drops the operator's alert thresholds for a group (or the defaults): the layers below apply again. */
    public CompletableFuture<AlertRuleBook.View> removeAlertRules(Actor actor, String group) {
        return run(() -> {
            if (group != null) {
                consumer(group);
            }
            AlertRuleBook.View before = alertView(group);
            return changed(actor, "remove-alert-rules", alertTarget(group), null, before,
                () -> sync.removeEntry(alertRules, AlertRuleEntries.key(group)), () -> alertView(group));
        });
    }

    /** The alerts, firing and resolved, of one group or all (null). */
    public CompletableFuture<List<AlertState>> alerts(String group) {
        if (group != null) {
            try {
                consumer(group);
            } catch (ProxyError e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return run(() -> monitoring.alerts().stream().filter(a -> group == null || group.equals(a.group())).toList());
    }

    /** Lag collection and alerting: whether this instance does it for the fleet, and its last collection. */
    public Monitoring monitoring() {
        return monitoring;
    }

    private AlertRuleBook.View alertView(String group) {
        return group == null ? monitoring.rules().defaults() : monitoring.rules().view(group);
    }

    /** The audit's target of the defaults: a name no group can have. */
    private static String alertTarget(String group) {
        return group == null ? "(alert defaults)" : group;
    }

    // ---- push subscriptions (issue 12)

    /**
     * Sets or replaces a group's webhook; fields left out come from {@code push.defaults}. Every instance
     * starts pushing within the registry's sync interval. The secret is kept in the run-time registry and
     * never shown: views and the audit record show the rest.
     */
    public CompletableFuture<ConsumerGroup> setPush(Actor actor, String name, PushChange given) {
        return run(() -> {
            ConsumerGroup before = consumer(name);
            ProxyConfig.PushDefaults d = registry.pushDefaults();
            PushSubscription push = new PushSubscription(given.url(), given.secret(),
                given.clientId() == null || given.clientId().isEmpty() ? null : given.clientId(),
                given.maxInFlight() != null ? given.maxInFlight() : d.maxInFlight(),
                given.ratePerSecond() != null ? given.ratePerSecond() : d.ratePerSecond(),
                given.batchSize() != null ? given.batchSize() : d.batchSize(),
                given.minBackoffMillis() != null ? given.minBackoffMillis() : d.minBackoffMillis(),
                given.maxBackoffMillis() != null ? given.maxBackoffMillis() : d.maxBackoffMillis(),
                given.timeoutMillis() != null ? given.timeoutMillis() : d.timeoutMillis());
            GroupRules.Violation v = PushRules.check(push.url(), push.secret(), push.clientId(), before.broadcast(),
                push.maxInFlight(), push.ratePerSecond(), push.batchSize(), push.minBackoffMillis(),
                push.maxBackoffMillis(), push.timeoutMillis(), before.consumeTimeoutCap());
            if (v != null) {
                throw Errors.badParam(v.setting(), v.rule());
            }
            return changePush(actor, "set-push", before, PushChange.set(push));
        });
    }

    /** Removes a group's webhook (also one the configuration file set, until it is set again). */
    public CompletableFuture<ConsumerGroup> removePush(Actor actor, String name) {
        return run(() -> {
            ConsumerGroup before = consumer(name);
            if (before.push() == null) {
                throw Errors.notFound("push endpoint of consumer group '" + name + "'");
            }
            return changePush(actor, "remove-push", before, PushChange.REMOVED);
        });
    }

    private ConsumerGroup changePush(Actor actor, String action, ConsumerGroup before, PushChange change)
        throws Exception {
        String name = before.name();
        return changed(actor, action, name, null, before,
            () -> sync.changeGroup(name, () -> groupEntry(name, GroupChange.push(change))), () -> consumer(name));
    }

    // ---- helpers

    private ConsumerGroup consumer(String name) {
        return registry.consumer(name).orElseThrow(() -> Errors.notFound("consumer group '" + name + "'"));
    }

    private static String brokerGroup(ConsumerGroup g, String clientId) {
        if (g.broadcast() == (clientId == null)) {
            throw Errors.badParam("clientId", g.broadcast()
                ? "is required: '" + g.name() + "' is a broadcast group, each clientId has its own progress"
                : "only for broadcast groups");
        }
        return BrokerGroups.forClient(g.name(), clientId);
    }

    /** The broker groups a message goes to: the group's, one clientId's, or every clientId's ("*"). */
    private List<String> targets(ConsumerGroup g, String clientId) {
        if (g.broadcast() && "*".equals(clientId)) {
            return clients.entries(g.name()).join().stream().map(ClientDirectory.Entry::brokerGroup).toList();
        }
        return List.of(brokerGroup(g, clientId));
    }

    /** Queue-held groups read their topic's queues in order and nothing else: no side door for one message. */
    private static void requireConcurrent(ConsumerGroup g, String action) {
        if (!g.pop()) {
            throw Errors.badParam("group", "'" + g.name() + "' is queue-held (pop=false): it reads its queues in "
                + "order and nothing else, so " + action + " of single messages is not possible; reset its offset "
                + "to read them again");
        }
    }

    private static void check(ConsumerGroup g) {
        GroupRules.Violation v = GroupRules.check(g.settings());
        if (v != null) {
            throw Errors.badParam(v.setting(), v.rule());
        }
        GroupRules.Violation rate = GroupRules.rateLimit(g.rateLimit());
        if (rate != null) {
            throw Errors.badParam(rate.setting(), rate.rule());
        }
        FilterSupport.check(g.filter());
    }

    /** A name a producer, group or topic would take: legal, and not the proxy's or RocketMQ's own. */
    private static void checkOwnName(String param, String value, int max, boolean group) {
        String broken = ResourceNames.checkOwn(value, max, group);
        if (broken != null) {
            throw Errors.badParam(param, broken);
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** Carries out a change and audits it, whatever its outcome; returns {@code after}'s value. */
    private <T> T changed(Actor actor, String action, String target, String clientId, Object before, Action change,
                          Call<T> after) throws Exception {
        try {
            change.run();
            T result = after.call();
            audit.record(actor, action, target, clientId, before, result, "ok");
            return result;
        } catch (Exception e) {
            audit.record(actor, action, target, clientId, before, null, "failed: " + e.getMessage());
            actor.markFailureAudited();
            throw e;
        }
    }

    private <T> CompletableFuture<T> run(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(call.call());
                } catch (ProxyError e) {
                    result.completeExceptionally(e);
                } catch (Exception e) {
                    result.completeExceptionally(Errors.brokerFailure(e.getMessage() == null ? e.toString()
                        : e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException full) {
            result.completeExceptionally(Errors.overloaded("control calls", QUEUE));
        }
        return result;
    }

    @Override
    public void close() {
        calls.shutdownNow();
        redrives.close();
    }
}
