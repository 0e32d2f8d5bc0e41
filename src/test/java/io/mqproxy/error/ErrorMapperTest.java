package io.mqproxy.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.BrokerFailure;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The broker's protocol-neutral failures, each kind as the envelope tells it (the texts users saw before). */
class ErrorMapperTest {
    private final IOException cause = new IOException("connection reset");

    @Test
    void outcomeUnknown_is300_mayOrMayNotBeStored() {
        ProxyError e = ErrorMapper.toProxyError(BrokerFailure.outcomeUnknown("broker did not answer in time"));
        assertThat(e.status()).isEqualTo(Status.UNKNOWN);
        assertThat(e.getMessage()).isEqualTo("outcome unknown (broker did not answer in time): the message may or "
            + "may not be stored; retry if it must be");
    }

    @Test
    void busy_is503_notStored() {
        ProxyError e = ErrorMapper.toProxyError(BrokerFailure.busy("[PCBUSY_CLEAN_QUEUE]too busy", cause));
        assertThat(e.status()).isEqualTo(Status.OVERLOADED);
        assertThat(e.getMessage())
            .isEqualTo("broker busy, the message was not stored; retry later ([PCBUSY_CLEAN_QUEUE]too busy)");
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void callsFull_is503_likeEveryBoundOfTheProxy() {
        ProxyError e = ErrorMapper.toProxyError(BrokerFailure.callsFull("client directory calls", 10_000));
        assertThat(e.status()).isEqualTo(Status.OVERLOADED);
        assertThat(e.getMessage()).isEqualTo(Errors.overloaded("client directory calls", 10_000).getMessage())
            .isEqualTo("proxy overloaded: 10000 client directory calls already in flight; retry later");
    }

    @Test
    void unreachableRefusedFailed_are500_brokerError_withTheOriginalCause() {
        for (BrokerFailure f : new BrokerFailure[] {BrokerFailure.unreachable("broker unreachable: x", cause),
            BrokerFailure.refused("broker refused the message (code 17): no topic", cause),
            BrokerFailure.failed("ack failed: reset", cause)}) {
            ProxyError e = ErrorMapper.toProxyError(f);
            assertThat(e.status()).as(f.kind().name()).isEqualTo(Status.INTERNAL);
            assertThat(e.getMessage()).isEqualTo("broker error: " + f.getMessage());
            assertThat(e.getCause()).isSameAs(cause);
        }
    }

    @Test
    void everyKindIsMapped_alsoWhenAFutureWrappedIt() {
        Set<BrokerFailure.Kind> seen = EnumSet.noneOf(BrokerFailure.Kind.class);
        for (BrokerFailure f : new BrokerFailure[] {BrokerFailure.outcomeUnknown("t"), BrokerFailure.busy("b", null),
            BrokerFailure.callsFull("calls", 1), BrokerFailure.unreachable("u", null), BrokerFailure.refused("r", null),
            BrokerFailure.failed("f", null)}) {
            ProxyError direct = ErrorMapper.toProxyError(f);
            ProxyError wrapped = ErrorMapper.toProxyError(new CompletionException(new ExecutionException(f)));
            assertThat(wrapped.status()).isEqualTo(direct.status()).isNotEqualTo(Status.OK);
            assertThat(wrapped.getMessage()).isEqualTo(direct.getMessage()).doesNotStartWith("internal error");
            seen.add(f.kind());
        }
        assertThat(seen).containsExactlyInAnyOrder(BrokerFailure.Kind.values());
    }
}
