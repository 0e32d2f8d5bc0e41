package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule fires once when its value passes the threshold and resolves once when it is back. */
class AlertEvaluatorTest {
    private static final String G = "billing";
    private final AlertEvaluator evaluator = new AlertEvaluator();

    private static ClientLag client(String clientId, long backlog, double age, long consumed, long deadLetters) {
        return new ClientLag(clientId, clientId == null ? G : G + "-bc-" + clientId, backlog, 0, 0, deadLetters, age,
            consumed, List.of());
    }

    private static GroupLag lag(ClientLag... clients) {
        return new GroupLag(G, "orders", clients.length > 1 || clients[0].clientId() != null, List.of(clients));
    }

    private List<AlertEvaluator.Event> eval(GroupLag lag, AlertThresholds t, long now) {
        return evaluator.evaluate(List.of(lag), Set.of(G), g -> t, now);
    }

    private static AlertThresholds backlog(long n) {
        return new AlertThresholds(n, 0, 0, 0, 300);
    }

    @Test
    void backlogAboveTheThreshold_firesOnce_andResolvesOnce() {
        assertThat(eval(lag(client(null, 3, 0, 0, 0)), backlog(3), 1_000)).isEmpty();
        List<AlertEvaluator.Event> fired = eval(lag(client(null, 4, 0, 0, 0)), backlog(3), 2_000);
        assertThat(fired).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("firing");
            assertThat(e.alert().rule()).isEqualTo("backlog");
            assertThat(e.alert().value()).isEqualTo(4.0);
            assertThat(e.alert().threshold()).isEqualTo(3);
            assertThat(e.alert().since()).isEqualTo(2_000);
        });
        assertThat(eval(lag(client(null, 9, 0, 0, 0)), backlog(3), 3_000)).isEmpty();
        assertThat(evaluator.states()).singleElement().satisfies(a -> assertThat(a.value()).isEqualTo(9.0));
        List<AlertEvaluator.Event> resolved = eval(lag(client(null, 0, 0, 0, 0)), backlog(3), 4_000);
        assertThat(resolved).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("resolved");
            assertThat(e.alert().since()).isEqualTo(2_000);
            assertThat(e.alert().resolvedAt()).isEqualTo(4_000);
        });
        assertThat(eval(lag(client(null, 0, 0, 0, 0)), backlog(3), 5_000)).isEmpty();
    }

    @Test
    void aRuleTurnedOffWhileFiring_resolves() {
        eval(lag(client(null, 10, 0, 0, 0)), backlog(3), 1_000);
        assertThat(eval(lag(client(null, 10, 0, 0, 0)), backlog(0), 2_000)).singleElement()
            .satisfies(e -> assertThat(e.event()).isEqualTo("resolved"));
    }

    @Test
    void oldestAge_firesOnTheWorstClientId_andNamesIt() {
        AlertThresholds t = new AlertThresholds(0, 60, 0, 0, 300);
        assertThat(eval(lag(client("a", 1, 10, 0, 0), client("b", 1, 61, 0, 0)), t, 1_000)).singleElement()
            .satisfies(e -> {
                assertThat(e.alert().rule()).isEqualTo("oldestAge");
                assertThat(e.alert().clientId()).isEqualTo("b");
                assertThat(e.alert().unit()).isEqualTo("seconds");
            });
    }

    @Test
    void stuck_firesWhenTheBacklogGrewAndNothingWasConsumedForLongEnough() {
        AlertThresholds t = new AlertThresholds(0, 0, 30, 0, 300);
        assertThat(eval(lag(client(null, 5, 0, 100, 0)), t, 0)).isEmpty();
        // Consuming, even with a backlog: not stuck.
        assertThat(eval(lag(client(null, 8, 0, 103, 0)), t, 20_000)).isEmpty();
        assertThat(eval(lag(client(null, 9, 0, 106, 0)), t, 40_000)).isEmpty();
        // Nothing consumed since 40 s, backlog grew: stuck from 70 s.
        assertThat(eval(lag(client(null, 12, 0, 106, 0)), t, 60_000)).isEmpty();
        assertThat(eval(lag(client(null, 15, 0, 106, 0)), t, 70_000)).singleElement()
            .satisfies(e -> assertThat(e.alert().value()).isEqualTo(30.0));
        // Consuming again: resolved.
        assertThat(eval(lag(client(null, 15, 0, 107, 0)), t, 80_000)).singleElement()
            .satisfies(e -> assertThat(e.event()).isEqualTo("resolved"));
    }

    @Test
    void stuck_doesNotFireForAnIdleGroupWhoseBacklogDidNotGrow() {
        AlertThresholds t = new AlertThresholds(0, 0, 30, 0, 300);
        eval(lag(client(null, 5, 0, 100, 0)), t, 0);
        assertThat(eval(lag(client(null, 5, 0, 100, 0)), t, 600_000)).isEmpty();
    }

    @Test
    void deadLetters_fireWhileTheyGrowWithinTheWindow_andResolveOnceItHasPassed() {
        AlertThresholds t = new AlertThresholds(0, 0, 0, 2, 60);
        assertThat(eval(lag(client(null, 0, 0, 0, 7)), t, 0)).isEmpty();
        assertThat(eval(lag(client(null, 0, 0, 0, 8)), t, 10_000)).isEmpty();
        assertThat(eval(lag(client(null, 0, 0, 0, 9)), t, 20_000)).singleElement()
            .satisfies(e -> assertThat(e.alert().value()).isEqualTo(2.0));
        assertThat(eval(lag(client(null, 0, 0, 0, 9)), t, 50_000)).isEmpty();
        // No new dead letter for a whole window: resolved.
        assertThat(eval(lag(client(null, 0, 0, 0, 9)), t, 85_000)).singleElement()
            .satisfies(e -> assertThat(e.event()).isEqualTo("resolved"));
    }

    @Test
    void aRemovedGroup_leavesNoAlert_andIsRemovedBrokerSide() {
        eval(lag(client(null, 10, 0, 0, 0)), backlog(3), 1_000);
        evaluator.takeChanges();
        evaluator.forget(G);
        assertThat(evaluator.states()).isEmpty();
        assertThat(evaluator.takeChanges().removed()).containsExactly(G + "/backlog");
    }

    @Test
    void aTakenOverFiringAlert_isNotNotifiedAgain() {
        AlertState firing = new AlertState(G, "backlog", "firing", 500, null, 10, 3, "messages", null, 1, List.of());
        evaluator.load(List.of(firing));
        assertThat(eval(lag(client(null, 10, 0, 0, 0)), backlog(3), 1_000)).isEmpty();
        assertThat(eval(lag(client(null, 0, 0, 0, 0)), backlog(3), 2_000)).singleElement()
            .satisfies(e -> {
                assertThat(e.event()).isEqualTo("resolved");
                assertThat(e.alert().since()).isEqualTo(500);
                assertThat(e.alert().seq()).isEqualTo(2);
            });
    }

    @Test
    void aLateResultForAnEarlierEvent_doesNotOverwriteTheNewerOne() {
        eval(lag(client(null, 10, 0, 0, 0)), backlog(3), 1_000);
        eval(lag(client(null, 0, 0, 0, 0)), backlog(3), 2_000);
        evaluator.notified(G + "/backlog", 1, new AlertState.NotificationResult("webhooks[0] x", "firing", "ok", 1,
            3_000L, null));
        assertThat(evaluator.states().get(0).notifications()).isEmpty();
        evaluator.notified(G + "/backlog", 2, new AlertState.NotificationResult("webhooks[0] x", "resolved", "ok", 1,
            3_000L, null));
        assertThat(evaluator.states().get(0).notifications()).singleElement()
            .satisfies(r -> assertThat(r.event()).isEqualTo("resolved"));
    }
}
