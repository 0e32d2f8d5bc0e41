package io.mqproxy.threads;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.TraceIds;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place the proxy's own code makes threads (RocketMQ's and Vert.x's own are theirs). Every pool
 * gets daemon threads named {@code mqproxy-<purpose>}, a bounded queue whose overflow is refused with
 * {@link RejectedExecutionException} and counted ({@code mqproxy_executor_rejected_total}), and Micrometer's
 * executor metrics ({@code mqproxy_executor_*}), all tagged {@code name=<purpose>}. Sizes that matter come
 * from the {@code threads:} section of the configuration ({@link #sizes()}). A task runs with the logging trace id
 * that was current where it was handed over ({@link TraceIds#carry}), and leaves none behind on the thread.
 */
public final class ThreadPools {
    private static final String PREFIX = "mqproxy-";

    private final ProxyConfig.Threads sizes;
    private final MeterRegistry registry;

    public ThreadPools(ProxyConfig.Threads sizes, MeterRegistry registry) {
        this.sizes = sizes;
        this.registry = registry;
    }

    /** Pools with the default sizes, metered nowhere: for components built alone (tests, tools). */
    public static ThreadPools unmetered() {
        return new ThreadPools(new ProxyConfig.Threads(2, 2, 2, 2, 1, 2), new SimpleMeterRegistry());
    }

    /** The configured sizes ({@code threads.*}). */
    public ProxyConfig.Threads sizes() {
        return sizes;
    }

    /** {@code threads} workers and at most {@code queue} tasks waiting for one. */
    public ThreadPoolExecutor fixed(String purpose, int threads, int queue) {
        return elastic(purpose, threads, threads, Duration.ZERO, queue);
    }

    /**
     * {@code coreThreads} workers, growing to {@code maxThreads} only while the queue of {@code queue} tasks
     * is full (a {@link ThreadPoolExecutor}'s rule); the extra ones end after {@code keepAlive} idle.
     */
    public ThreadPoolExecutor elastic(String purpose, int coreThreads, int maxThreads, Duration keepAlive,
                                      int queue) {
        ThreadPoolExecutor pool = new Carrying(coreThreads, maxThreads, keepAlive.toMillis(),
            new ArrayBlockingQueue<>(queue), threads(purpose, maxThreads), counted(purpose));
        return metered(pool, purpose);
    }

    /** A pool whose tasks take the trace id of where they were handed over along: submit and invokeAll come here. */
    private static final class Carrying extends ThreadPoolExecutor {
        Carrying(int core, int max, long keepAliveMillis, BlockingQueue<Runnable> queue, ThreadFactory threads,
                 RejectedExecutionHandler refuse) {
            super(core, max, keepAliveMillis, TimeUnit.MILLISECONDS, queue, threads, refuse);
        }

        @Override
        public void execute(Runnable command) {
            super.execute(TraceIds.carry(command));
        }
    }

    /**
     * One thread running delayed and periodic tasks, at most {@code queue} of them waiting (a periodic task
     * counts as one while it lasts); a cancelled task leaves the queue at once.
     */
    public ScheduledExecutorService scheduler(String purpose, int queue) {
        BoundedScheduler scheduler = new BoundedScheduler(threads(purpose, 1), counted(purpose), queue);
        scheduler.setRemoveOnCancelPolicy(true);
        return metered(scheduler, purpose);
    }

    /** A thread not yet started, named {@code mqproxy-<purpose>}: for the one-off jobs of a stop. */
    public static Thread thread(String purpose, boolean daemon, Runnable task) {
        Thread t = new Thread(task, PREFIX + purpose);
        t.setDaemon(daemon);
        return t;
    }

    private <E extends ThreadPoolExecutor> E metered(E pool, String purpose) {
        new ExecutorServiceMetrics(pool, purpose, "mqproxy", Tags.empty()).bindTo(registry);
        return pool;
    }

    /** A task refused by a running pool is counted (one refused during the stop is not overload). */
    private RejectedExecutionHandler counted(String purpose) {
        Counter rejected = Counter.builder("mqproxy.executor.rejected")
            .description("tasks refused because the pool and its queue were full")
            .tag("name", purpose)
            .register(registry);
        return (task, pool) -> {
            if (!pool.isShutdown()) {
                rejected.increment();
            }
            throw new RejectedExecutionException(PREFIX + purpose + " is full (" + pool.getQueue().size()
                + " waiting)" + (pool.isShutdown() ? ", or stopped" : ""));
        };
    }

    /** One pool's threads: {@code mqproxy-<purpose>}, numbered when the pool may have more than one. */
    private static ThreadFactory threads(String purpose, int maxThreads) {
        AtomicInteger made = new AtomicInteger();
        return task -> thread(maxThreads == 1 ? purpose : purpose + "-" + made.incrementAndGet(), true, task);
    }
}
