package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An operator's change to a group's webhook, as kept in the run-time registry: a whole subscription,
 * its secret included (so this record is only ever written to the registry, never shown), or its
 * removal.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PushChange(String url, String secret, String clientId, Integer maxInFlight, Integer ratePerSecond,
                         Integer batchSize, Long minBackoffMillis, Long maxBackoffMillis, Long timeoutMillis,
                         boolean removed) {
    public static final PushChange REMOVED = new PushChange(null, null, null, null, null, null, null, null, null, true);

    public static PushChange set(PushSubscription s) {
        return new PushChange(s.url(), s.secret(), s.clientId(), s.maxInFlight(), s.ratePerSecond(), s.batchSize(),
            s.minBackoffMillis(), s.maxBackoffMillis(), s.timeoutMillis(), false);
    }

    /** What the group serves after this change: the subscription, or null when removed. */
    public PushSubscription subscription() {
        if (removed || url == null) {
            return null;
        }
        return new PushSubscription(url, secret, clientId, maxInFlight, ratePerSecond, batchSize, minBackoffMillis,
            maxBackoffMillis, timeoutMillis);
    }

    @Override
    public String toString() {
        return removed ? "PushChange[removed]" : "PushChange[url=" + url + ", secret=***]";
    }
}
