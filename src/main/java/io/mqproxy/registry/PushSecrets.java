package io.mqproxy.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqproxy.log.LogSafe;
import io.mqproxy.security.SecretSeal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run-time consumer entry's webhook secret, sealed ({@link SecretSeal}) in the KV store as credential
 * secrets are: the broker side logs and persists what is written there, so the secret must not arrive
 * in clear. The entry keeps its shape ({@code settings.push}); only {@code secret} becomes
 * {@code sealedSecret}. An entry written before sealing (a clear {@code secret}) still loads, and is
 * sealed when it is next written.
 */
final class PushSecrets {
    private static final Logger log = LoggerFactory.getLogger(PushSecrets.class);
    private static final String CLEAR = "secret";
    private static final String SEALED = "sealedSecret";

    private PushSecrets() {
    }

    /** {@code entry} (a consumer entry as JSON), its push secret sealed. */
    static JsonNode sealed(ObjectNode entry, SecretSeal seal) {
        ObjectNode push = push(entry);
        if (push != null && push.hasNonNull(CLEAR)) {
            push.put(SEALED, seal.seal(push.get(CLEAR).asText()));
            push.remove(CLEAR);
        }
        return entry;
    }

    /**
     * {@code entry} as read from the KV store, its push secret opened. A secret no key of this proxy
     * sealed (the requestId secret rotated without {@code consume.previousRequestIdSecret}) cannot sign
     * anything: the group is served without its webhook, and said so, until the push is set again.
     */
    static JsonNode opened(JsonNode entry, SecretSeal seal) {
        ObjectNode push = entry instanceof ObjectNode o ? push(o) : null;
        if (push != null && push.hasNonNull(SEALED)) {
            try {
                push.put(CLEAR, seal.open(push.get(SEALED).asText()));
                push.remove(SEALED);
            } catch (IllegalArgumentException unreadable) {
                log.warn("push of consumer {} not served: its secret cannot be opened ({}); set the push again",
                    LogSafe.of(entry.path("name").asText()), LogSafe.of(unreadable.getMessage()));
                push.removeAll();
                push.put("removed", true);
            }
        }
        return entry;
    }

    private static ObjectNode push(ObjectNode entry) {
        return entry.get("settings") instanceof ObjectNode settings && settings.get("push") instanceof ObjectNode p
            ? p : null;
    }
}
