package io.mqproxy.control;

import static io.mqproxy.control.CommandChecks.brokerGroup;
import static io.mqproxy.control.CommandChecks.requireConcurrent;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.broker.GroupAdmin.StoredMessage;
import io.mqproxy.broker.RedriveHistory;
import io.mqproxy.error.Errors;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A group's dead letters: listed (each marked when the audit records its redrive), and sent back into
 * consumption (redriven): by id or all at once, or by a selection and/or at a rate in the background
 * ({@link RedriveJobs}), or tried as a dry run. Every redrive is audited, naming each entry it sent.
 */
public final class RedriveCommands implements AutoCloseable {
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
    private final GroupAdmin groups;
    private final ProxyMetrics metrics;
    private final AuditLog audit;
    private final RedriveJobs redrives;
    private final AuditedCalls calls;

    RedriveCommands(Registry registry, GroupAdmin groups, ProxyMetrics metrics, ThreadPools pools,
                    java.time.Clock clock, AuditedCalls calls) {
        this.registry = registry;
        this.groups = groups;
        this.metrics = metrics;
        this.audit = calls.log();
        this.redrives = new RedriveJobs(pools, clock);
        this.calls = calls;
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
        return calls.run(() -> {
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
    Map<String, AuditedRedrive> redriveMarks(String name, String clientId, long oldest) throws Exception {
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
        return calls.run(() -> {
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
            long at = calls.clock().millis();
            List<String> marks = new ArrayList<>();
            calls.changed(actor, "redrive", name, clientId, null, () -> {
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
        return calls.run(() -> {
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
        return calls.run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "redrive");
            String brokerGroup = brokerGroup(g, clientId);
            RedriveJobs.Job[] started = new RedriveJobs.Job[1];
            // The job's first step waits for its start record: a quick job's end is never audited before its start.
            CountDownLatch recorded = new CountDownLatch(1);
            try {
                calls.changed(actor, "redrive", name, clientId, null,
                    () -> started[0] = redrives.start(brokerGroup, name, clientId, actor.operator(), selection,
                        ratePerSecond, job -> {
                            awaitQuietly(recorded);
                            runRedrive(job, actor, g, brokerGroup);
                        }),
                    () -> redriveRecord(started[0].id, "running", selection, 0, 0, null));
                return started[0].progress();
            } finally {
                recorded.countDown();
            }
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped: the proxy is shutting down");
        }
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
        long at = calls.clock().millis();
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

    private ConsumerGroup consumer(String name) {
        return CommandChecks.consumer(registry, name);
    }

    @Override
    public void close() {
        redrives.close();
    }
}
