package io.mqproxy.error;

import io.mqproxy.broker.BrokerFailure;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where any failure becomes a {@link ProxyError}. Services fail with {@code ProxyError}s
 * already; the broker layer fails with protocol-neutral {@link BrokerFailure}s, whose kind decides the
 * status here; anything else is a bug or an unforeseen fault, so it is logged with its stack and reported
 * as an internal error without leaking details.
 */
public final class ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    public static ProxyError toProxyError(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ProxyError pe) {
            return pe;
        }
        if (t instanceof BrokerFailure bf) {
            return fromBroker(bf);
        }
        log.error("unexpected failure", t);
        return Errors.internal(t.getClass().getSimpleName(), t);
    }

    /** Each kind of broker failure, as the envelope tells it. */
    static ProxyError fromBroker(BrokerFailure f) {
        return switch (f.kind()) {
            case OUTCOME_UNKNOWN -> Errors.outcomeUnknown(f.getMessage());
            case BUSY -> Errors.brokerBusy(f.getMessage(), f.getCause());
            case CALLS_FULL -> Errors.overloaded(f.getMessage());
            case UNREACHABLE, REFUSED, FAILED -> Errors.brokerFailure(f.getMessage(), f.getCause());
        };
    }

    /** The failure a future's wrapping ({@code CompletionException}, {@code ExecutionException}) carries. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
