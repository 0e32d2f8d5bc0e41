package io.mqproxy.control;

import static io.mqproxy.control.ControlFixture.ALICE;
import static io.mqproxy.control.ControlFixture.HELD;
import static io.mqproxy.control.ControlFixture.POP;
import static io.mqproxy.control.ControlFixture.START;
import static io.mqproxy.control.ControlFixture.TOPIC;
import static io.mqproxy.control.ControlFixture.done;
import static io.mqproxy.control.ControlFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mqproxy.broker.BrokerFailure;
import io.mqproxy.broker.GroupAdmin.StoredMessage;
import io.mqproxy.error.ProxyError;
import io.mqproxy.testing.FakeGroupAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter redrive's rules over a faked broker (issue 23): what is refused before anything is sent,
 * that an id dead-lettered twice is sent once, the bounds on what a redrive and a dry run look at, that the
 * audit names every entry sent (in records of at most {@value RedriveCommands#MARKS_PER_RECORD}) and the list
 * shows them redriven, a background redrive that stops when the broker refuses every send, and progress
 * kept an hour by the clock.
 */
class RedriveCommandsTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @SuppressWarnings("unchecked")
    private static List<String> marks(AuditRecord r) {
        return (List<String>) ((Map<String, Object>) r.after()).get("messages");
    }

    @Test
    void aRedriveOfAQueueHeldGroup_isRefusedNamingGroup_andNothingIsReadOrSent() throws Exception {
        ProxyError e = failure(f.redrives.redrive(ALICE, HELD, null, null));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("group:").contains("queue-held");
        assertThat(failure(f.redrives.previewRedrive(HELD, null, DeadLetterSelection.ALL)).getMessage())
            .startsWith("group:");
        assertThat(failure(f.redrives.startRedrive(ALICE, HELD, null, DeadLetterSelection.ALL, null)).getMessage())
            .startsWith("group:");
        assertThat(f.groups.scans).isEmpty();
        assertThat(f.groups.sends).hasValue(0);
        assertThat(f.records()).isEmpty();
    }

    @Test
    void aRedriveByIds_withAnIdThatIsNotADeadLetter_is404NamingIt_andNothingIsSent() throws Exception {
        f.groups.deadLetters(POP, 3, START);
        ProxyError e = failure(f.redrives.redrive(ALICE, POP, null, List.of("m0", "gone")));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("gone").doesNotContain("m0");
        assertThat(f.groups.sends).hasValue(0);
        assertThat(f.records()).isEmpty();
    }

    @Test
    void aRedriveOfAll_sendsEachIdOnce_itsNewestCopy_withinItsScanBound_andTheAuditNamesEach() throws Exception {
        StoredMessage newer = FakeGroupAdmin.message("m1", "%DLQ%" + POP, START);
        StoredMessage older = FakeGroupAdmin.message("m1", "%DLQ%" + POP, START - 60_000);
        StoredMessage other = FakeGroupAdmin.message("m2", "%DLQ%" + POP, START - 30_000);
        f.groups.deadLetters.put(POP, List.of(newer, other, older));
        f.clock.advance(Duration.ofMinutes(5));
        long now = f.clock.millis();

        assertThat(done(f.redrives.redrive(ALICE, POP, null, null))).isEqualTo(2);
        assertThat(f.groups.scans).containsExactly(10_000);
        assertThat(f.groups.calls).containsExactly(
            "redrive " + TOPIC + " " + POP + " m1@" + START + " by alice at " + now,
            "redrive " + TOPIC + " " + POP + " m2@" + (START - 30_000) + " by alice at " + now);
        AuditRecord r = f.records().get(0);
        assertThat(r.action()).isEqualTo("redrive");
        assertThat(r.operator()).isEqualTo("alice");
        assertThat(r.result()).isEqualTo("ok");
        assertThat(marks(r)).containsExactly("m1@" + START, "m2@" + (START - 30_000));

        // The list shows which copy was redriven, by whom and when (from the audit).
        List<RedriveCommands.DeadLetter> listed = done(f.redrives.deadLetters(POP, null, 10));
        assertThat(listed).extracting(d -> d.redriven() == null ? null : d.redriven().operator() + "@"
            + d.redriven().at()).containsExactly("alice@" + now, "alice@" + now, null);
    }

    @Test
    void aLargeRedrive_isAuditedInRecordsOfAThousandEntries() throws Exception {
        f.groups.deadLetters(POP, 2_500, START);
        assertThat(done(f.redrives.redrive(ALICE, POP, null, null))).isEqualTo(2_500);
        List<AuditRecord> records = f.records();
        assertThat(records).hasSize(3).allSatisfy(r -> assertThat(r.action()).isEqualTo("redrive"));
        assertThat(records).extracting(r -> marks(r).size()).containsExactly(1_000, 1_000, 500);
        List<String> all = new ArrayList<>();
        records.forEach(r -> all.addAll(marks(r)));
        assertThat(all).doesNotHaveDuplicates().hasSize(2_500);
    }

    @Test
    void aRedrive_whenTheBrokerRefusesTheSends_isTheErrorValue_andAuditedAsFailed() throws Exception {
        f.groups.deadLetters(POP, 2, START);
        f.groups.failingSends = BrokerFailure.refused("CODE: 17 topic not exist", null);
        Actor actor = new Actor("alice", "req-9");
        ProxyError e = failure(f.redrives.redrive(actor, POP, null, null));
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.getMessage()).contains("CODE: 17");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("redrive");
            assertThat(r.result()).startsWith("failed: ").contains("CODE: 17");
        });
        assertThat(actor.wasFailureAudited()).isTrue();
    }

    @Test
    void aDryRun_countsEachIdOnce_showsTheFirstTwenty_looksAtItsBound_andSendsNothing() throws Exception {
        f.groups.deadLetters(POP, 30, START);
        List<StoredMessage> letters = new ArrayList<>(f.groups.deadLetters.get(POP));
        letters.add(FakeGroupAdmin.message("m0", "%DLQ%" + POP, START - 3_600_000)); // m0 dead-lettered twice
        f.groups.deadLetters.put(POP, letters);

        RedriveCommands.RedrivePreview preview = done(f.redrives.previewRedrive(POP, null, DeadLetterSelection.ALL));
        assertThat(preview.selected()).isEqualTo(30);
        assertThat(preview.scanned()).isEqualTo(31);
        assertThat(preview.complete()).isTrue();
        assertThat(preview.first()).hasSize(RedriveCommands.PREVIEW);
        assertThat(f.groups.scans).containsExactly(RedriveCommands.SELECTION_SCAN);

        RedriveCommands.RedrivePreview some = done(f.redrives.previewRedrive(POP, null,
            DeadLetterSelection.ofIds(Set.of("m3", "m4"))));
        assertThat(some.selected()).isEqualTo(2);
        assertThat(f.groups.sends).hasValue(0);
        assertThat(f.records()).as("a dry run is a read").isEmpty();
    }

    @Test
    void aBackgroundRedrive_stopsAfterTwentyRefusedSendsInARow_andItsEndIsAuditedAsFailed() throws Exception {
        f.groups.deadLetters(POP, 100, START);
        f.groups.failingSends = BrokerFailure.refused("no permission", null);
        RedriveJobs.Progress started = done(f.redrives.startRedrive(ALICE, POP, null, DeadLetterSelection.ALL, null));
        assertThat(started.state()).isEqualTo("running");

        await().atMost(Duration.ofSeconds(10)).until(() -> !f.redrives.redriveProgress(POP, started.id()).state()
            .equals("running"));
        RedriveJobs.Progress ended = f.redrives.redriveProgress(POP, started.id());
        assertThat(ended.state()).isEqualTo("failed");
        assertThat(ended.failed()).isEqualTo(RedriveCommands.MAX_FAILURES_IN_A_ROW);
        assertThat(ended.redriven()).isZero();
        assertThat(ended.error()).contains("20 failures in a row").contains("no permission");
        assertThat(f.records()).extracting(AuditRecord::result).containsExactly("ok", "failed: " + ended.error());
        assertThat(f.records()).allSatisfy(r -> assertThat(r.operator()).isEqualTo("alice"));
    }

    @Test
    void aBackgroundRedrivesProgress_isKeptAnHourAfterItsEnd_byTheClock() throws Exception {
        f.groups.deadLetters(POP, 3, START);
        RedriveJobs.Progress started = done(f.redrives.startRedrive(ALICE, POP, null, DeadLetterSelection.ALL, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> f.redrives.redriveProgress(POP, started.id()).state()
            .equals("done"));
        assertThat(f.redrives.redriveProgress(POP, started.id()).redriven()).isEqualTo(3);
        assertThat(f.records()).extracting(AuditRecord::result).containsExactly("ok", "ok");
        assertThat(marks(f.records().get(1))).hasSize(3);

        f.clock.advance(Duration.ofMinutes(59));
        assertThat(f.redrives.redriveProgress(POP, started.id()).state()).isEqualTo("done");
        f.clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> f.redrives.redriveProgress(POP, started.id()))
            .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}
