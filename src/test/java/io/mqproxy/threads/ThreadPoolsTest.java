package io.mqproxy.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.log.TraceIds;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Every pool from the factory: named, bounded, refusals counted, metered. */
class ThreadPoolsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ThreadPools pools = new ThreadPools(new ProxyConfig.Threads(3, 2, 2, 2, 1, 2), registry);
    private final List<ExecutorService> made = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        made.forEach(ExecutorService::shutdownNow);
    }

    private <E extends ExecutorService> E made(E pool) {
        made.add(pool);
        return pool;
    }

    private double rejected(String name) {
        return registry.get("mqproxy.executor.rejected").tag("name", name).counter().count();
    }

    private Runnable blocked() {
        return () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void threads_areNamedForTheirPurpose_numberedWhenThereAreSeveral_andDaemon() throws Exception {
        ExecutorService several = made(pools.fixed("control", pools.sizes().control(), 8));
        List<Thread> seen = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            several.execute(() -> {
                seen.add(Thread.currentThread());
                all.countDown();
                blocked().run();
            });
        }
        assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).extracting(Thread::getName)
            .containsExactlyInAnyOrder("mqproxy-control-1", "mqproxy-control-2", "mqproxy-control-3");
        assertThat(seen).allMatch(Thread::isDaemon);

        ScheduledExecutorService one = made(pools.scheduler("registry-sync", 4));
        assertThat(one.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS))
            .isEqualTo("mqproxy-registry-sync");
        Thread stop = ThreadPools.thread("shutdown", false, () -> { });
        assertThat(stop.getName()).isEqualTo("mqproxy-shutdown");
        assertThat(stop.isDaemon()).isFalse();
        assertThat(stop.getState()).isEqualTo(Thread.State.NEW);
    }

    @Test
    void aFullPool_refusesTheTask_andCountsIt() {
        ExecutorService pool = made(pools.fixed("redrive", 1, 1));
        pool.execute(blocked());
        pool.execute(blocked());

        assertThatThrownBy(() -> pool.execute(() -> { }))
            .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("mqproxy-redrive");
        assertThatThrownBy(() -> pool.submit(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(rejected("redrive")).isEqualTo(2);
    }

    @Test
    void anElasticPool_growsOnlyWhenItsQueueIsFull_thenRefuses() {
        var pool = made(pools.elastic("dead-letter", 1, 2, Duration.ofSeconds(60), 1));
        pool.execute(blocked());
        pool.execute(blocked());
        assertThat(pool.getPoolSize()).isEqualTo(1);
        pool.execute(blocked());
        assertThat(pool.getPoolSize()).isEqualTo(2);

        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(rejected("dead-letter")).isEqualTo(1);
    }

    /** The JDK's scheduled executor has an unbounded queue: the factory's has a bound. */
    @Test
    void aFullScheduler_refusesTheTask_andCountsIt() {
        ScheduledExecutorService scheduler = made(pools.scheduler("webhook-retry", 2));
        scheduler.schedule(() -> { }, 1, TimeUnit.HOURS);
        scheduler.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.HOURS);

        assertThatThrownBy(() -> scheduler.schedule(() -> { }, 1, TimeUnit.HOURS))
            .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> scheduler.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(rejected("webhook-retry")).isEqualTo(2);
    }

    @Test
    void aCancelledTask_leavesTheSchedulersQueue_makingRoom() {
        ScheduledExecutorService scheduler = made(pools.scheduler("broadcast-sweeper", 1));
        scheduler.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.HOURS).cancel(false);

        scheduler.schedule(() -> { }, 1, TimeUnit.HOURS);
        assertThat(rejected("broadcast-sweeper")).isZero();
    }

    /** A task refused while the pool stops is not overload: refused, not counted. */
    @Test
    void aTaskRefusedAfterShutdown_isNotCounted() {
        ExecutorService pool = made(pools.fixed("monitor-read", 1, 1));
        pool.shutdown();

        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(rejected("monitor-read")).isZero();
    }

    @Test
    void everyPool_isMeteredWithMicrometersExecutorMetrics_underItsPurpose() throws Exception {
        ExecutorService pool = made(pools.fixed("client-directory", 2, 10));
        ScheduledExecutorService scheduler = made(pools.scheduler("fleet", 16));
        CompletableFuture.runAsync(() -> { }, pool).get(5, TimeUnit.SECONDS);
        scheduler.submit(() -> { }).get(5, TimeUnit.SECONDS);

        for (String name : List.of("client-directory", "fleet")) {
            // A pool counts a task completed just after its future completes.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                registry.get("mqproxy.executor.completed").tag("name", name).functionCounter().count())
                .as("tasks completed by %s", name).isEqualTo(1));
            assertThat(registry.find("mqproxy.executor.queued").tag("name", name).gauge()).isNotNull();
            assertThat(registry.find("mqproxy.executor.active").tag("name", name).gauge()).isNotNull();
            assertThat(registry.find("mqproxy.executor.rejected").tag("name", name).counter()).isNotNull();
        }
        assertThat(registry.get("mqproxy.executor.pool.max").tag("name", "client-directory").gauge().value())
            .isEqualTo(2);
        assertThat(registry.get("mqproxy.executor.queue.remaining").tag("name", "client-directory").gauge().value())
            .isEqualTo(10);
    }

    /** The trace id a task sees, and the name of the thread it ran on. */
    private record Seen(String traceId, String thread) {
        static Seen now() {
            return new Seen(MDC.get(TraceIds.KEY), Thread.currentThread().getName());
        }
    }

    @Test
    void aTask_runsWithTheTraceIdOfWhereItWasHandedOver_andLeavesNoneOnTheThread() throws Exception {
        String traceId = "5ce0e9a56015fec5aadfa328ae398115";
        ExecutorService pool = made(pools.fixed("client-directory", 1, 10));
        ScheduledExecutorService scheduler = made(pools.scheduler("fleet", 16));
        for (ExecutorService each : List.of(pool, scheduler)) {
            String name = each == pool ? "mqproxy-client-directory" : "mqproxy-fleet";
            Seen traced;
            Seen viaExecute;
            try (TraceIds.Scope ignored = TraceIds.with(traceId)) {
                traced = each.submit(Seen::now).get(5, TimeUnit.SECONDS);
                CompletableFuture<Seen> executed = new CompletableFuture<>();
                each.execute(() -> executed.complete(Seen.now()));
                viaExecute = executed.get(5, TimeUnit.SECONDS);
                assertThat(MDC.get(TraceIds.KEY)).as("the caller's own").isEqualTo(traceId);
            }
            assertThat(traced).as("submit on %s", name).isEqualTo(new Seen(traceId, name));
            assertThat(viaExecute).as("execute on %s", name).isEqualTo(new Seen(traceId, name));

            // The next task on the same thread, handed over without an id, sees none.
            assertThat(each.submit(Seen::now).get(5, TimeUnit.SECONDS)).as("after, on %s", name)
                .isEqualTo(new Seen(null, name));
            assertThat(CompletableFuture.supplyAsync(Seen::now, each).get(5, TimeUnit.SECONDS))
                .isEqualTo(new Seen(null, name));
        }

        // Delayed and periodic tasks take the id of where they were scheduled, each time they run.
        List<Seen> ticks = new CopyOnWriteArrayList<>();
        ScheduledFuture<?> periodic;
        ScheduledFuture<Seen> delayed;
        try (TraceIds.Scope ignored = TraceIds.with(traceId)) {
            periodic = scheduler.scheduleWithFixedDelay(() -> ticks.add(Seen.now()), 0, 10, TimeUnit.MILLISECONDS);
            delayed = scheduler.schedule(Seen::now, 20, TimeUnit.MILLISECONDS);
        }
        assertThat(delayed.get(5, TimeUnit.SECONDS)).isEqualTo(new Seen(traceId, "mqproxy-fleet"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() >= 3);
        periodic.cancel(false);
        assertThat(ticks).allMatch(t -> traceId.equals(t.traceId()));
        assertThat(scheduler.submit(Seen::now).get(5, TimeUnit.SECONDS)).isEqualTo(new Seen(null, "mqproxy-fleet"));
        assertThat(MDC.get(TraceIds.KEY)).isNull();
    }

    @Test
    void aTaskWithoutATraceId_isHandedOnAsItIs() {
        Runnable task = () -> { };
        assertThat(TraceIds.carry(task)).as("no wrapper, no allocation").isSameAs(task);
        try (TraceIds.Scope ignored = TraceIds.with("5ce0e9a56015fec5aadfa328ae398115")) {
            assertThat(TraceIds.carry(task)).isNotSameAs(task);
        }
    }
}
