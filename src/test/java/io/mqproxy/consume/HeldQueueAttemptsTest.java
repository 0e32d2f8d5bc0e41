package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.BrokerQueue;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.broker.ReceiptHandle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which queue-held pops may name an old attemptId: once each, only for a batch given back undelivered. */
class HeldQueueAttemptsTest {
    private static final int ORDERLY_REVIVE_QID = 999;

    private static ReceiptHandle handle(int queueId, long popTime, long offset) {
        return new ReceiptHandle(-1, popTime, 60_000, ORDERLY_REVIVE_QID, "0", "broker-a", queueId, offset);
    }

    private static PoppedMessage popped(ReceiptHandle h) {
        return new PoppedMessage("id-" + h.queueOffset(), new byte[0], 0, null, null, Map.of(), 0, h);
    }

    @Test
    void aBatchGivenBack_leavesOneHintPerQueue_handedOutOnce() {
        HeldQueueAttempts attempts = new HeldQueueAttempts();
        String attempt = attempts.newAttempt();
        List<ReceiptHandle> batch = List.of(handle(1, 100, 7), handle(1, 100, 8), handle(3, 100, 2));
        attempts.issued(attempt, batch.stream().map(HeldQueueAttemptsTest::popped).toList());

        attempts.givenBack("g", batch);

        assertThat(List.of(attempts.take("g"), attempts.take("g"))).containsExactly(
            new HeldQueueAttempts.Hint(new BrokerQueue("broker-a", 1), attempt),
            new HeldQueueAttempts.Hint(new BrokerQueue("broker-a", 3), attempt));
        assertThat(attempts.take("g")).as("a hint reused would hand a held batch to a second client").isNull();
        assertThat(attempts.take("other")).isNull();
    }

    @Test
    void handlesNoOrderlyPopIssuedHere_leaveNoHint() {
        HeldQueueAttempts attempts = new HeldQueueAttempts();
        attempts.issued(attempts.newAttempt(), List.of(popped(handle(1, 100, 7))));

        // Another pop of the queue (another popTime), e.g. through another instance: nothing known of it.
        attempts.givenBack("g", List.of(handle(1, 200, 7)));

        assertThat(attempts.take("g")).isNull();
    }

    @Test
    void partOfAQueuesTakeGivenBack_leavesNoHint() {
        HeldQueueAttempts attempts = new HeldQueueAttempts();
        ReceiptHandle written = handle(1, 100, 7);
        ReceiptHandle failed = handle(1, 100, 8);
        attempts.issued(attempts.newAttempt(), List.of(popped(written), popped(failed)));

        // One message of an event stream's batch could not be written; its client holds the other one.
        attempts.givenBack("g", List.of(failed));

        assertThat(attempts.take("g")).as("a pop under the attempt would hand the held message out again").isNull();
    }

    @Test
    void aBatchGivenBackTwice_leavesItsHintOnce() {
        HeldQueueAttempts attempts = new HeldQueueAttempts();
        ReceiptHandle h = handle(2, 100, 5);
        attempts.issued(attempts.newAttempt(), List.of(popped(h)));

        attempts.givenBack("g", List.of(h));
        attempts.givenBack("g", List.of(h));

        assertThat(attempts.take("g")).isNotNull();
        assertThat(attempts.take("g")).isNull();
    }

    @Test
    void eachPopGetsAnAttemptOfItsOwn() {
        HeldQueueAttempts attempts = new HeldQueueAttempts();
        assertThat(attempts.newAttempt()).isNotEqualTo(attempts.newAttempt());
    }
}
