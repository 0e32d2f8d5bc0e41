package io.mqproxy.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The credentials in force: the configuration file's, and those issued at run time through the
 * control plane. The list handed out is the same object until something changes, so readers index
 * it once per change.
 */
public final class CredentialBook {
    private final List<Credential> fromFile;
    private volatile List<Credential> all;

    public CredentialBook(List<Credential> fromFile) {
        this.fromFile = List.copyOf(fromFile);
        this.all = this.fromFile;
    }

    public Collection<Credential> all() {
        return all;
    }

    public List<Credential> fromFile() {
        return fromFile;
    }

    /** Run-time credentials now (all of them, not a delta). */
    public void applyRuntime(Collection<Credential> runtime) {
        List<Credential> merged = new ArrayList<>(fromFile);
        for (Credential c : runtime) {
            if (fromFile.stream().noneMatch(f -> f.id().equals(c.id()))) {
                merged.add(c);
            }
        }
        all = List.copyOf(merged);
    }
}
