package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.mqproxy.config.ProxyConfig;

/**
 * A consumer group's webhook as the proxy serves it (issue 12). The secret is never written out:
 * views and audit records show everything else.
 *
 * @param clientId      for a broadcast group, the clientId the proxy consumes as; else null
 * @param ratePerSecond requests per second across the fleet; 0: no limit
 */
@JsonIgnoreProperties({"secret"})
public record PushSubscription(String url, String secret, String clientId, int maxInFlight, int ratePerSecond,
                               int batchSize, long minBackoffMillis, long maxBackoffMillis, long timeoutMillis) {

    /** The configuration file's entry (secretEnv already resolved), or null. */
    public static PushSubscription of(ProxyConfig.PushEndpoint p) {
        return p == null ? null : new PushSubscription(p.url(), p.secret(), emptyToNull(p.clientId()), p.maxInFlight(),
            p.ratePerSecond(), p.batchSize(), p.minBackoffMillis(), p.maxBackoffMillis(), p.timeoutMillis());
    }

    /** The back-off before delivery number {@code deliveryCount + 1}: doubling from the minimum, up to the maximum. */
    public long backoffMillis(int deliveryCount) {
        int doublings = Math.max(0, Math.min(deliveryCount - 1, 30));
        return Math.min(maxBackoffMillis, minBackoffMillis << doublings);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public String toString() {
        return "PushSubscription[url=" + url + ", secret=***, clientId=" + clientId + ", maxInFlight=" + maxInFlight
            + ", ratePerSecond=" + ratePerSecond + ", batchSize=" + batchSize + ", minBackoffMillis=" + minBackoffMillis
            + ", maxBackoffMillis=" + maxBackoffMillis + ", timeoutMillis=" + timeoutMillis + "]";
    }
}
