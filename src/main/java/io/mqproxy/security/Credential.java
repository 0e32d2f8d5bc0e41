package io.mqproxy.security;

import java.util.Set;

/**
 * A data client's credential: what it may produce with and consume from.
 *
 * @param id        names it (and is the access key of signed requests); never a secret
 * @param secret    the bearer token, and the key of signed requests
 * @param expiresAt epoch millis after which it is refused; 0: never
 * @param runtime   issued through the control plane (so it may be revoked there)
 */
public record Credential(String id, String secret, Set<String> producers, Set<String> consumers, long expiresAt,
                         boolean runtime) {
    public Credential {
        producers = Set.copyOf(producers);
        consumers = Set.copyOf(consumers);
    }

    boolean expired(long nowMillis) {
        return expiresAt > 0 && nowMillis >= expiresAt;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "Credential[id=" + id + ", producers=" + producers + ", consumers=" + consumers + ", expiresAt="
            + expiresAt + "]";
    }
}
