package io.mqproxy.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.control.OperatorCredentials;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ConsoleSessions sessions = new ConsoleSessions(new OperatorCredentials(List.of(
        new ProxyConfig.Operator("alice", "alice-token-0123456789", null),
        new ProxyConfig.Operator("bob", "bob-token-0123456789", null))), now::get);

    @Test
    void onlyAnOperatorsToken_opensASession_forThatOperator() {
        assertThat(sessions.login("nobody-0123456789")).isEmpty();
        assertThat(sessions.login("")).isEmpty();
        assertThat(sessions.login(null)).isEmpty();
        ConsoleSessions.Login bob = sessions.login("bob-token-0123456789").orElseThrow();
        assertThat(bob.session().operator()).isEqualTo("bob");
        assertThat(sessions.session(bob.sessionId())).contains(bob.session());
        assertThat(sessions.session(bob.sessionId() + "x")).isEmpty();
        assertThat(sessions.session(null)).isEmpty();
    }

    @Test
    void idsAndCsrfTokens_areRandomAndLong_andTheCsrfCheckIsExact() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ConsoleSessions.Login l = sessions.login("alice-token-0123456789").orElseThrow();
            assertThat(l.sessionId()).hasSizeGreaterThanOrEqualTo(43);
            assertThat(seen.add(l.sessionId())).isTrue();
            assertThat(seen.add(l.session().csrfToken())).isTrue();
            assertThat(l.session().csrfMatches(l.session().csrfToken())).isTrue();
            assertThat(l.session().csrfMatches(l.session().csrfToken() + "x")).isFalse();
            assertThat(l.session().csrfMatches(null)).isFalse();
            assertThat(l.session().csrfMatches(l.sessionId())).isFalse();
        }
    }

    @Test
    void aSessionEnds_atItsLifetime_orAtLogout() {
        ConsoleSessions.Login a = sessions.login("alice-token-0123456789").orElseThrow();
        ConsoleSessions.Login b = sessions.login("alice-token-0123456789").orElseThrow();
        sessions.logout(b.sessionId());
        assertThat(sessions.session(b.sessionId())).isEmpty();
        assertThat(sessions.session(a.sessionId())).isPresent();
        now.addAndGet(ConsoleSessions.LIFETIME.toMillis() - 1);
        assertThat(sessions.session(a.sessionId())).isPresent();
        now.addAndGet(1);
        assertThat(sessions.session(a.sessionId())).isEmpty();
    }
}
