package io.mqproxy.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqproxy.error.Errors;
import io.mqproxy.threads.ThreadPools;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redrives that run in the background (by selection, at a rate), with their progress readable by id on
 * the instance that runs them. Bounded: one running redrive per broker group (a second is refused with
 * 409), a small named pool of its own ({@code mqproxy-redrive-N}, {@code threads.redrive}) so a long
 * redrive never holds the control calls' threads, and finished redrives remembered for an hour (at most {@value #REMEMBERED}).
 */
public final class RedriveJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedriveJobs.class);
    static final int QUEUE = 4;
    static final int REMEMBERED = 256;

    /** A redrive's progress; its counters move while it runs. */
    static final class Job {
        final String id;
        final String group;
        final String clientId;
        final String operator;
        final DeadLetterSelection selection;
        final Integer ratePerSecond;
        final long startedAt;
        final AtomicLong scanned = new AtomicLong();
        final AtomicLong selected = new AtomicLong();
        final AtomicLong redriven = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String state = "running";
        volatile long finishedAt;
        volatile String error;

        Job(String id, String group, String clientId, String operator, DeadLetterSelection selection,
            Integer ratePerSecond, long startedAt) {
            this.id = id;
            this.startedAt = startedAt;
            this.group = group;
            this.clientId = clientId;
            this.operator = operator;
            this.selection = selection;
            this.ratePerSecond = ratePerSecond;
        }

        Progress progress() {
            return new Progress(id, group, clientId, operator, selection.describe(), ratePerSecond, scanned.get(),
                selected.get(), redriven.get(), failed.get(), state, startedAt, finishedAt == 0 ? null : finishedAt,
                error);
        }
    }

    /**
     * What {@code GET .../dlq/redrives/{id}} answers.
     *
     * @param state "running", "done" (every selected one tried: see failed) or "failed" (stopped early: see error)
     */
    public record Progress(String id, String group, String clientId, String operator, Map<String, Object> selection,
                           Integer ratePerSecond, long scanned, long selected, long redriven, long failed,
                           String state, long startedAt, Long finishedAt, String error) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Job> running = new ConcurrentHashMap<>();
    private final Cache<String, Job> jobs;
    private final ExecutorService pool;
    private final int threads;
    /** Dates the jobs, and times how long a job is remembered. */
    private final Clock clock;

    RedriveJobs(ThreadPools pools, Clock clock) {
        this.threads = pools.sizes().redrive();
        this.pool = pools.fixed("redrive", threads, QUEUE);
        this.clock = clock;
        this.jobs = Caffeine.newBuilder().maximumSize(REMEMBERED).expireAfterWrite(Duration.ofHours(1))
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    /**
     * Starts {@code work} for the broker group, unless a redrive of it is running (409) or the pool is full
     * (503). {@code work} updates the job's counters; an exception it throws ends the job as "failed".
     */
    Job start(String brokerGroup, String group, String clientId, String operator, DeadLetterSelection selection,
              Integer ratePerSecond, Consumer<Job> work) {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        Job job = new Job(HexFormat.of().formatHex(bytes), group, clientId, operator, selection, ratePerSecond,
            clock.millis());
        Job earlier = running.putIfAbsent(brokerGroup, job);
        if (earlier != null) {
            throw Errors.conflict("a redrive of '" + group + "' is running (id " + earlier.id + ", "
                + earlier.redriven.get() + " redriven so far): wait for it to end (GET .../dlq/redrives/"
                + earlier.id + ")");
        }
        jobs.put(job.id, job);
        try {
            pool.execute(() -> {
                try {
                    work.accept(job);
                    job.state = "done";
                } catch (RuntimeException e) {
                    job.error = e.getMessage() == null ? e.toString() : e.getMessage();
                    job.state = "failed";
                    log.warn("redrive {} of group {} stopped: {}", job.id, group, e.toString());
                } finally {
                    job.finishedAt = clock.millis();
                    jobs.put(job.id, job); // its hour is counted from its end
                    running.remove(brokerGroup, job);
                }
            });
        } catch (RejectedExecutionException full) {
            running.remove(brokerGroup, job);
            jobs.invalidate(job.id);
            throw Errors.overloaded("background redrives", threads + QUEUE);
        }
        return job;
    }

    /** A redrive of this group (any clientId) by id, running (however long) or ended within the hour. */
    Progress progress(String group, String id) {
        Job job = id == null ? null : running.values().stream().filter(j -> j.id.equals(id)).findFirst()
            .orElseGet(() -> jobs.getIfPresent(id));
        if (job == null || !job.group.equals(group)) {
            throw Errors.notFound("redrive '" + id + "' of '" + group + "' on this instance (progress is kept for "
                + "an hour by the instance that runs it)");
        }
        return job.progress();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
