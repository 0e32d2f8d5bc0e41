package io.mqproxy.control;

import io.mqproxy.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the control plane: operators with bearer tokens. Tokens are kept only as digests and
 * compared in constant time, every operator's each time, so neither timing nor order tells anything.
 */
public final class OperatorCredentials {
    private static final String BEARER = "bearer ";

    private final Map<String, byte[]> digests = new LinkedHashMap<>();

    public OperatorCredentials(List<ProxyConfig.Operator> operators) {
        operators.forEach(o -> digests.put(o.name(), digest(o.token())));
    }

    /** Whether anyone can log in at all; with nobody configured every control call is refused. */
    public boolean any() {
        return !digests.isEmpty();
    }

    /** The operator whose token the {@code Authorization} header carries, if any. */
    public Optional<String> authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
            || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).trim());
        String match = null;
        for (Map.Entry<String, byte[]> e : digests.entrySet()) {
            if (MessageDigest.isEqual(presented, e.getValue()) && match == null) {
                match = e.getKey();
            }
        }
        return Optional.ofNullable(match);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
