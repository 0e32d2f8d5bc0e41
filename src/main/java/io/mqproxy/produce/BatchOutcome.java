package io.mqproxy.produce;

import io.mqproxy.error.ProxyError;
import java.util.List;

/**
 * Per message of a batch, in input order: null where the broker stored it, else why not.
 */
public record BatchOutcome(List<ProxyError> failures) {
    public boolean allSent() {
        return failures.stream().allMatch(f -> f == null);
    }

    public boolean noneSent() {
        return failures.stream().noneMatch(f -> f == null);
    }
}
