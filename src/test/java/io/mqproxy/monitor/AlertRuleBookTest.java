package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The more specific layer wins, and at the same level the operator's run-time entry wins over the file. */
class AlertRuleBookTest {
    private static ProxyConfig.Monitor config() {
        return new ProxyConfig.Monitor(true, 15, 10, 4, 32, "", new ProxyConfig.AlertRules(100, 600, 0, 0, 300),
            List.of(new ProxyConfig.GroupAlertRules("billing", 5000L, null, null, null, null)), List.of(), 5, 5,
            1000, 1000);
    }

    @Test
    void theFilesDefaults_andItsGroupEntries_apply() {
        AlertRuleBook book = new AlertRuleBook(config());
        assertThat(book.forGroup("audit")).isEqualTo(new AlertThresholds(100, 600, 0, 0, 300));
        assertThat(book.forGroup("billing").backlog()).isEqualTo(5000);
        assertThat(book.view("billing").sources()).containsEntry("backlog", "group config")
            .containsEntry("oldestAgeSeconds", "config");
    }

    @Test
    void runTimeDefaults_applyUnderEveryGroupEntry_andRunTimeGroupEntriesOverEverything() {
        AlertRuleBook book = new AlertRuleBook(config());
        book.applyRuntime(new AlertOverrides(200L, null, 120L, null, null),
            Map.of("billing", new AlertOverrides(null, 30L, null, null, null),
                "audit", new AlertOverrides(0L, null, null, null, null)));
        assertThat(book.forGroup("audit")).isEqualTo(new AlertThresholds(0, 600, 120, 0, 300));
        assertThat(book.forGroup("billing")).isEqualTo(new AlertThresholds(5000, 30, 120, 0, 300));
        assertThat(book.forGroup("other")).isEqualTo(new AlertThresholds(200, 600, 120, 0, 300));
        assertThat(book.view("billing").sources()).containsEntry("backlog", "group config")
            .containsEntry("oldestAgeSeconds", "group runtime").containsEntry("stuckSeconds", "runtime");
        assertThat(book.defaults().rules()).isEqualTo(new AlertThresholds(200, 600, 120, 0, 300));
        // All of them, not a delta: an entry no longer there no longer applies.
        book.applyRuntime(null, Map.of());
        assertThat(book.forGroup("audit")).isEqualTo(new AlertThresholds(100, 600, 0, 0, 300));
    }
}
