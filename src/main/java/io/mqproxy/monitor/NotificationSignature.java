package io.mqproxy.monitor;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs notifications so that a receiver can trust them: HMAC-SHA256 with the webhook's secret over
 * the timestamp header, a dot, and the body as sent. The timestamp is signed too, so a receiver that
 * refuses old timestamps (say, over five minutes) also refuses replays.
 *
 * <pre>
 * X-MQProxy-Timestamp: 1767225600
 * X-MQProxy-Signature: sha256=&lt;hex of HMAC-SHA256(secret, "1767225600" + "." + body)&gt;
 * </pre>
 */
public final class NotificationSignature {
    public static final String TIMESTAMP_HEADER = "X-MQProxy-Timestamp";
    public static final String SIGNATURE_HEADER = "X-MQProxy-Signature";
    private static final String PREFIX = "sha256=";

    private NotificationSignature() {
    }

    /** The signature header's value. */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** What a receiver does: recompute and compare in constant time. */
    public static boolean verify(String secret, String timestamp, byte[] body, String signature) {
        if (timestamp == null || signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII),
            signature.getBytes(StandardCharsets.US_ASCII));
    }
}
