package io.mqproxy.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where any failure becomes a {@link ProxyError}. Services and the broker layer fail
 * with {@code ProxyError}s already; anything else is a bug or an unforeseen fault, so it is logged
 * with its stack and reported as an internal error without leaking details.
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
        log.error("unexpected failure", t);
        return Errors.internal(t.getClass().getSimpleName(), t);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
