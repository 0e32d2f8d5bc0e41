package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RuntimeEntries;
import io.mqproxy.testing.MutableClock;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.threads.ThreadPools;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consume rules (issue 23: ConsumeService had no unit test, as it called the concrete PopClient), over a
 * broker in memory ({@link FakePops}) and a clock moved by hand: a requestId settles its batch once, lateness
 * goes by the batch's own deadline, a paused group hands out nothing and gives back what a waiting pop brings,
 * the rate limit shares out messages per second, and what was popped for a client that left goes back.
 */
class ConsumeServiceTest {
    private static final ProxyConfig CONFIG = TestProxy.builder()
        .namesrvAddr("127.0.0.1:9876")
        .consumer("g", "t", Map.of())
        .config();

    private final MutableClock clock = MutableClock.at(1_700_000_000_000L);
    private final FakePops broker = new FakePops(clock);
    private final Registry registry = new Registry(CONFIG);
    private final ThreadPools pools = ThreadPools.unmetered();
    private final ConsumeService consume = new ConsumeService(registry, broker, null,
        new RequestIdCodec("unit-test-secret-unit-test-secret".getBytes(StandardCharsets.UTF_8)), new ProxyMetrics(),
        CONFIG.consume(), () -> 1, clock, pools);

    @AfterEach
    void close() {
        consume.stopWaiting();
        consume.close();
    }

    private static PollRequest request(String requestId, int pullSeconds, BooleanSupplier clientGone) {
        return new PollRequest("g", "t", requestId, null, null, 32, 60, pullSeconds, clientGone);
    }

    private static PollRequest request(String requestId) {
        return request(requestId, 0, null);
    }

    private void change(GroupChange change) {
        registry.apply(new RuntimeEntries(Map.of("g", new RuntimeEntries.ConsumerEntry("g", null, null, null,
            change.overrides(), false)), Map.of()));
    }

    private static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestId_acksItsBatchOnce_andASecondUse_isAnsweredAlreadyAcked_withoutTheBroker() throws Exception {
        broker.store("a", "b");
        Polled first = done(consume.poll(request(null)));
        assertThat(first.status()).isEqualTo(PollResult.FOUND);
        assertThat(first.fresh().size()).isEqualTo(2);
        assertThat(first.consumeTimeoutSeconds()).isEqualTo(60);
        assertThat(first.wire()).as("the contract's answer").extracting(PollResult::status, PollResult::requestId,
            PollResult::msgListSize, PollResult::retryMsgListSize, PollResult::consumeTimeout)
            .containsExactly(PollResult.FOUND, first.requestId(), 2, 0, 60);

        Polled next = done(consume.poll(request(first.requestId())));
        assertThat(next.previousAck()).isEqualTo(AckResult.OK);
        assertThat(broker.acked).hasSize(2);

        AckResult again = done(consume.ack(request(first.requestId())));
        assertThat(again).isEqualTo(new AckResult(AckResult.ALREADY_ACKED, 2));
        AckResult release = done(consume.release(request(first.requestId()), 0));
        assertThat(release.status()).isEqualTo(AckResult.ALREADY_ACKED);
        assertThat(broker.acked).as("the broker is asked once").hasSize(2);
        assertThat(broker.released).isEmpty();
    }

    @Test
    void aLateAck_isMadeButSaysExpired_andALateRelease_isRefused() throws Exception {
        broker.store("a");
        String late = done(consume.poll(request(null))).requestId();
        broker.store("b");
        String lateRelease = done(consume.poll(request(null))).requestId();
        clock.advance(Duration.ofSeconds(60));

        assertThat(done(consume.ack(request(late)))).isEqualTo(new AckResult(AckResult.EXPIRED, 1));
        assertThat(broker.acked).as("what was not yet delivered again is acked").hasSize(1);
        assertThat(done(consume.release(request(lateRelease), 0))).isEqualTo(new AckResult(AckResult.EXPIRED, 1));
        assertThat(broker.released).as("the batch is coming back anyway").isEmpty();
    }

    @Test
    void aRelease_inTime_makesTheBatchVisibleAgain_once() throws Exception {
        broker.store("a");
        String id = done(consume.poll(request(null))).requestId();
        clock.advance(Duration.ofSeconds(58));
        assertThat(done(consume.release(request(id), 0))).isEqualTo(new AckResult(AckResult.OK, 1));
        assertThat(done(consume.ack(request(id)))).isEqualTo(new AckResult(AckResult.ALREADY_RELEASED, 1));
        assertThat(broker.released).hasSize(1);
        assertThat(broker.acked).isEmpty();
    }

    @Test
    void aPausedGroup_handsOutNothing_andStillAcksThePreviousBatch() throws Exception {
        broker.store("a", "b");
        String id = done(consume.poll(new PollRequest("g", "t", null, null, null, 1, 60, 0, null))).requestId();
        change(GroupChange.pause(true));
        int popsBefore = broker.pops;

        Polled paused = done(consume.poll(request(id)));
        assertThat(paused.status()).isEqualTo(PollResult.PAUSED);
        assertThat(paused.previousAck()).isEqualTo(AckResult.OK);
        assertThat(broker.pops).as("no pop for a paused group").isEqualTo(popsBefore);
        assertThat(done(consume.pollEach(request(null))).status()).isEqualTo(PollResult.PAUSED);
    }

    @Test
    void aGroupPausedWhileAPollWaits_getsWhatThePopBroughtGivenBack() throws Exception {
        CompletableFuture<Polled> waiting = consume.poll(request(null, 20, null));
        await().until(() -> broker.waitingPops() == 1);
        change(GroupChange.pause(true));
        broker.arrive("a", "b");

        assertThat(done(waiting).status()).isEqualTo(PollResult.PAUSED);
        assertThat(broker.givenBack).as("given back uncounted, at once").hasSize(2);
    }

    @Test
    void theRateLimit_handsOutTheGroupsShareEachSecond() throws Exception {
        change(GroupChange.rateLimit(2));
        broker.store("1", "2", "3", "4", "5");

        assertThat(done(consume.poll(request(null))).fresh().size()).isEqualTo(2);
        Polled over = done(consume.poll(request(null)));
        assertThat(over.status()).isEqualTo(PollResult.RATE_LIMITED);
        assertThat(done(consume.pollEach(request(null))).status()).isEqualTo(PollResult.RATE_LIMITED);

        clock.advance(Duration.ofSeconds(1));
        assertThat(done(consume.poll(request(null))).fresh().size()).isEqualTo(2);
    }

    @Test
    void whatAWaitingPopBrings_forAClientThatLeft_isGivenBack() throws Exception {
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Polled> waiting = consume.poll(request(null, 20, gone::get));
        await().until(() -> broker.waitingPops() == 1);
        gone.set(true);
        broker.arrive("a");

        assertThat(done(waiting).status()).isEqualTo(PollResult.NO_NEW_MSG);
        assertThat(broker.givenBack).hasSize(1);
        assertThat(broker.acked).isEmpty();
    }

    @Test
    void aBatchItsClientDidNotGet_goesBackOnce_uncounted() throws Exception {
        broker.store("a", "b");
        Polled undelivered = done(consume.poll(request(null)));
        consume.returnUndelivered(undelivered);
        consume.returnUndelivered(undelivered);

        assertThat(broker.givenBack).hasSize(2);
        assertThat(broker.released).as("not a counted release").isEmpty();
        assertThat(done(consume.ack(request(undelivered.requestId()))).status()).isEqualTo(AckResult.ALREADY_RELEASED);
    }

    @Test
    void aBatchItsClientDidNotGet_goesBackAsMinted_itsRequestIdIsNotReadAgain() throws Exception {
        broker.store("a");
        Polled minted = done(consume.poll(request(null)));
        consume.returnUndelivered(new Polled(minted.status(), "not-a-requestId", minted.fresh(), minted.retried(),
            null, minted.consumeTimeoutSeconds(), minted.batch()));
        assertThat(broker.givenBack).containsExactlyElementsOf(minted.batch().handles());
    }

    @Test
    void pushDeliveries_carryATokenPerMessage_eachSettledApart() throws Exception {
        broker.store("a", "b");
        Deliveries found = done(consume.pollEach(request(null)));
        assertThat(found.each()).hasSize(2);

        assertThat(done(consume.ack(request(found.each().get(0).token())))).isEqualTo(new AckResult(AckResult.OK, 1));
        done(consume.returnUndelivered(found.each().get(1)));
        assertThat(broker.acked).hasSize(1);
        assertThat(broker.givenBack).hasSize(1);
    }
}
