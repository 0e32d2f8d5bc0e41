package io.mqproxy.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proxy's one HMAC-SHA256 signer: webhook pushes, alert notifications, signed data requests and audit
 * records all sign with it; each keeps only its own wire format (which parts, which header, hex or base64).
 * (The requestId codec keeps a keyed Mac per thread of its own: it signs on every poll and ack.)
 */
public final class HmacSha256 {
    private static final String ALGORITHM = "HmacSHA256";

    private HmacSha256() {
    }

    /** The MAC, under {@code key}, of the parts one after the other (as if concatenated). */
    public static byte[] of(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The same under a secret given as text (its UTF-8 bytes are the key): a webhook's or credential's. */
    public static byte[] of(String secret, byte[]... parts) {
        return of(secret.getBytes(StandardCharsets.UTF_8), parts);
    }
}
