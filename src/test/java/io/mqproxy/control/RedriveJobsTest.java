package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.error.ProxyError;
import io.mqproxy.testing.MutableClock;
import io.mqproxy.threads.ThreadPools;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Background redrives: dated by the proxy's clock, remembered an hour after they end, never lost while running. */
class RedriveJobsTest {
    private final MutableClock clock = MutableClock.at(1_700_000_000_000L);
    private final RedriveJobs jobs = new RedriveJobs(
        new ThreadPools(new ProxyConfig.Threads(3, 2, 2, 2, 1, 2), new SimpleMeterRegistry()), clock);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        jobs.close();
    }

    private RedriveJobs.Job start(String group, CountDownLatch until) {
        return jobs.start("%" + group, group, null, "alice", DeadLetterSelection.ALL, null, job -> {
            try {
                until.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            job.redriven.incrementAndGet();
        });
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (ProxyError e) {
            return e.status();
        }
    }

    @Test
    void aFinishedRedrive_isRememberedAnHourAfterItsEnd_thenForgotten() {
        RedriveJobs.Job job = start("g", new CountDownLatch(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(jobs.progress("g", job.id).state()));
        RedriveJobs.Progress done = jobs.progress("g", job.id);
        assertThat(done.startedAt()).isEqualTo(clock.millis());
        assertThat(done.finishedAt()).isEqualTo(clock.millis());

        clock.advance(Duration.ofHours(1).minusMillis(1));
        assertThat(jobs.progress("g", job.id).redriven()).isEqualTo(1);
        clock.advanceMillis(1);
        assertThatThrownBy(() -> jobs.progress("g", job.id)).isInstanceOf(ProxyError.class)
            .hasMessageContaining("progress is kept for an hour");
    }

    @Test
    void aRedriveRunningLongerThanAnHour_keepsItsProgress_andItsHourStartsAtItsEnd() {
        RedriveJobs.Job job = start("slow", release);
        clock.advance(Duration.ofHours(3));
        assertThat(status(() -> jobs.progress("slow", job.id))).as("still running after 3 h").isEqualTo(200);
        assertThat(jobs.progress("slow", job.id).state()).isEqualTo("running");

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(jobs.progress("slow", job.id).state()));
        assertThat(jobs.progress("slow", job.id).finishedAt() - jobs.progress("slow", job.id).startedAt())
            .isEqualTo(Duration.ofHours(3).toMillis());
        clock.advance(Duration.ofMinutes(59));
        assertThat(status(() -> jobs.progress("slow", job.id))).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        assertThat(status(() -> jobs.progress("slow", job.id))).isEqualTo(404);
    }

    @Test
    void aSecondRedriveOfTheGroup_isRefusedWhileTheFirstRuns_409() {
        RedriveJobs.Job first = start("g", release);
        assertThat(status(() -> start("g", release))).isEqualTo(409);
        assertThat(jobs.progress("g", first.id).state()).isEqualTo("running");
    }
}
