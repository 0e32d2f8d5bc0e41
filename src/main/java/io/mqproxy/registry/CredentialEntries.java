package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mqproxy.log.LogSafe;
import io.mqproxy.security.Credential;
import io.mqproxy.security.CredentialBook;
import io.mqproxy.security.SecretSeal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data clients' credentials issued through the control plane, as run-time entries of the registry's
 * namespace ({@code credential.<id>}), their secrets sealed ({@link SecretSeal}). Every instance applies
 * them to its {@link CredentialBook} within a second of a change, and at start. Issued and revoked by
 * compare-and-set ({@link RegistrySync#changeEntry}).
 */
public final class CredentialEntries implements RegistrySync.Section {
    private static final Logger log = LoggerFactory.getLogger(CredentialEntries.class);

    /** An entry as kept: never the secret in clear. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String id, String sealedSecret, List<String> producers, List<String> consumers, long expiresAt,
                 long createdAt, String createdBy) {
    }

    private final CredentialBook book;
    private final SecretSeal seal;
    private volatile Map<String, Entry> current = Map.of();

    public CredentialEntries(CredentialBook book, SecretSeal seal) {
        this.book = book;
        this.seal = seal;
    }

    @Override
    public String prefix() {
        return RegistrySync.CREDENTIALS;
    }

    @Override
    public void apply(Map<String, String> entries) {
        List<Credential> runtime = new ArrayList<>();
        Map<String, Entry> parsed = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            try {
                Entry entry = RegistrySync.JSON.readValue(e.getValue(), Entry.class);
                runtime.add(new Credential(entry.id(), seal.open(entry.sealedSecret()), Set.copyOf(entry.producers()),
                    Set.copyOf(entry.consumers()), entry.expiresAt(), true));
                parsed.put(entry.id(), entry);
            } catch (Exception damaged) {
                log.warn("run-time credential {} ignored: {}", LogSafe.of(e.getKey()), LogSafe.of(damaged.getMessage()));
            }
        }
        current = Map.copyOf(parsed);
        book.applyRuntime(runtime);
    }

    public Map<String, Entry> current() {
        return current;
    }

    public String seal(String secret) {
        return seal.seal(secret);
    }
}
