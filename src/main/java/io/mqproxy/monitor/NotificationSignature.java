package io.mqproxy.monitor;

import io.mqproxy.security.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

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
    private static final byte[] DOT = {'.'};

    private NotificationSignature() {
    }

    /** The signature header's value. */
    public static String sign(String secret, String timestamp, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(HmacSha256.of(secret,
            timestamp.getBytes(StandardCharsets.US_ASCII), DOT, body));
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
