package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The body budget never hands out more than its limit, even to event loops reserving at once. */
class BodyBudgetTest {
    @Test
    void reservationsUpToTheLimit_pass_andOnePastIt_isRefusedWithoutReservingAnything() {
        BodyBudget budget = new BodyBudget(1000);
        assertThat(budget.tryReserve(600)).isTrue();
        assertThat(budget.tryReserve(400)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
        assertThat(budget.reserved()).isEqualTo(1000);
        budget.release(400);
        assertThat(budget.tryReserve(401)).isFalse();
        assertThat(budget.tryReserve(400)).isTrue();
        budget.release(1000);
        assertThat(budget.reserved()).isZero();
    }

    @Test
    void concurrentReservations_neverPassTheLimit_andAllComeBack() throws Exception {
        BodyBudget budget = new BodyBudget(64 * 1024);
        AtomicLong highest = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    int size = 1 + (i * 7919) % 8192;
                    if (budget.tryReserve(size)) {
                        highest.accumulateAndGet(budget.reserved(), Math::max);
                        budget.release(size);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(highest.get()).isLessThanOrEqualTo(64 * 1024);
        assertThat(budget.reserved()).isZero();
    }
}
