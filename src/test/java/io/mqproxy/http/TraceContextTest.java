package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which traceparent values a receiver keeps (W3C Trace Context, level 1). */
class TraceContextTest {
    @Test
    void wellFormedVersion00_isKept() {
        assertThat(TraceContext.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isTrue();
        assertThat(TraceContext.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).isTrue();
    }

    @Test
    void laterVersions_mayCarryMoreFields() {
        assertThat(TraceContext.valid("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).isTrue();
        assertThat(TraceContext.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).isFalse();
    }

    @Test
    void malformed_orAllZeroIds_orVersionFF_areIgnored() {
        assertThat(TraceContext.valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isFalse();
        assertThat(TraceContext.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isFalse();
        assertThat(TraceContext.valid("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isFalse();
        assertThat(TraceContext.valid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isFalse();
        assertThat(TraceContext.valid("00-xyz-00f067aa0ba902b7-01")).isFalse();
        assertThat(TraceContext.valid("")).isFalse();
    }
}
