package io.mqproxy.control;

import io.mqproxy.error.Errors;
import io.mqproxy.registry.CredentialEntries;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.security.Credential;
import io.mqproxy.security.CredentialBook;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Data clients' credentials issued at run time: listed without their secrets, issued (a random secret,
 * answered once and kept only sealed), revoked; kept in the run-time registry so every instance applies
 * them within a second. Each change is audited ({@link AuditedCalls}).
 */
public final class CredentialCommands {
    private final Registry registry;
    private final RegistrySync sync;
    private final CredentialBook credentialBook;
    private final CredentialEntries credentials;
    private final AuditedCalls calls;

    CredentialCommands(Registry registry, RegistrySync sync, CredentialBook credentialBook,
                       CredentialEntries credentials, AuditedCalls calls) {
        this.registry = registry;
        this.sync = sync;
        this.credentialBook = credentialBook;
        this.credentials = credentials;
        this.calls = calls;
    }


    /** A credential as operators see it: never its secret. */
    public record CredentialView(String id, List<String> producers, List<String> consumers, long expiresAt,
                                 String source, Long createdAt, String createdBy) {
    }

    /** What issuing a credential answers: the secret, this once. */
    public record IssuedCredential(String id, String secret, List<String> producers, List<String> consumers,
                                   long expiresAt) {
    }

    public List<CredentialView> credentials() {
        List<CredentialView> out = new ArrayList<>();
        for (Credential c : credentialBook.fromFile()) {
            out.add(new CredentialView(c.id(), sorted(c.producers()), sorted(c.consumers()), c.expiresAt(), "config",
                null, null));
        }
        credentials.current().values().stream().sorted(java.util.Comparator.comparing(CredentialEntries.Entry::id))
            .forEach(e -> out.add(new CredentialView(e.id(), e.producers(), e.consumers(), e.expiresAt(), "runtime",
                e.createdAt(), e.createdBy())));
        return out;
    }

    /**
     * Issues a credential for data clients: a random secret, granting the producers and groups named
     * (each must be registered). The secret is answered once and kept only sealed.
     */
    public CompletableFuture<IssuedCredential> issueCredential(Actor actor, String id, List<String> producers,
                                                               List<String> consumers, long expiresAt) {
        return calls.run(() -> {
            if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
                throw Errors.badParam("id", "must be 1..64 letters, digits, '.', '_' or '-'");
            }
            requireNew(id);
            if (producers.isEmpty() && consumers.isEmpty()) {
                throw Errors.badParam("producers", "a credential grants at least one producer or consumer group");
            }
            for (String p : producers) {
                if (registry.producer(p).isEmpty()) {
                    throw Errors.badParam("producers", "unknown producer '" + p + "'");
                }
            }
            for (String g : consumers) {
                if (registry.consumer(g).isEmpty()) {
                    throw Errors.badParam("consumers", "unknown consumer group '" + g + "'");
                }
            }
            if (expiresAt != 0 && expiresAt <= calls.clock().millis()) {
                throw Errors.badParam("expiresAt", "must be in the future (epoch ms), or 0 for never");
            }
            byte[] random = new byte[32];
            new java.security.SecureRandom().nextBytes(random);
            String secret = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            CredentialEntries.Entry entry = new CredentialEntries.Entry(id, credentials.seal(secret), sorted(producers),
                sorted(consumers), expiresAt, calls.clock().millis(), actor.operator());
            Map<String, Object> after = Map.of("id", id, "producers", entry.producers(), "consumers",
                entry.consumers(), "expiresAt", expiresAt);
            calls.changed(actor, "issue-credential", id, null, null,
                () -> sync.changeEntry(credentials, id, () -> {
                    requireNew(id); // again as the registry is now: another instance may have issued it meanwhile
                    return entry;
                }), () -> after);
            return new IssuedCredential(id, secret, entry.producers(), entry.consumers(), expiresAt);
        });
    }

    /** Revokes a credential issued at run time: every instance refuses it within a second. */
    public CompletableFuture<Void> revokeCredential(Actor actor, String id) {
        return calls.run(() -> {
            CredentialEntries.Entry entry = credentials.current().get(id);
            if (entry == null) {
                if (credentialBook.fromFile().stream().anyMatch(c -> c.id().equals(id))) {
                    throw Errors.badParam("id", "credential '" + id + "' is declared in the configuration file: "
                        + "remove it there");
                }
                throw Errors.notFound("credential '" + id + "'");
            }
            Map<String, Object> before = Map.of("id", id, "producers", entry.producers(), "consumers",
                entry.consumers());
            return calls.changed(actor, "revoke-credential", id, null, before, () -> sync.changeEntry(credentials, id,
                () -> {
                    if (!credentials.current().containsKey(id)) {
                        throw Errors.notFound("credential '" + id + "'"); // revoked meanwhile, by another operator
                    }
                    return null;
                }), () -> null);
        });
    }

    private void requireNew(String id) {
        if (credentialBook.all().stream().anyMatch(c -> c.id().equals(id))) {
            throw Errors.badParam("id", "credential '" + id + "' exists already: revoke it first");
        }
    }

    private static List<String> sorted(java.util.Collection<String> names) {
        return names.stream().sorted().toList();
    }
}
