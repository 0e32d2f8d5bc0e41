package io.mqproxy.push;

import io.mqproxy.security.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The signature a webhook receiver checks: {@code X-MQProxy-Signature: t=<epoch seconds>,v1=<hex>}, where
 * the hex is HMAC-SHA256, keyed with the subscription's secret, of {@code "<t>." + body}. The time is
 * inside what is signed, so a receiver that refuses an old {@code t} refuses replays.
 */
public final class PushSignature {
    public static final String HEADER = "X-MQProxy-Signature";

    private PushSignature() {
    }

    /** The header's value for {@code body} sent at {@code epochSeconds}. */
    public static String header(String secret, long epochSeconds, byte[] body) {
        return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, epochSeconds, body));
    }

    /**
     * What a receiver does: the header parses, its time is within {@code toleranceSeconds} of
     * {@code nowEpochSeconds}, and its HMAC matches the body (compared in constant time).
     */
    public static boolean verify(String secret, String header, byte[] body, long nowEpochSeconds,
                                 long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        long t = -1;
        String v1 = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (p.startsWith("v1=")) {
                v1 = p.substring(3);
            }
        }
        if (t < 0 || v1 == null || Math.abs(nowEpochSeconds - t) > toleranceSeconds) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(v1);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(secret, t, body), given);
    }

    private static byte[] mac(String secret, long epochSeconds, byte[] body) {
        return HmacSha256.of(secret, (epochSeconds + ".").getBytes(StandardCharsets.US_ASCII), body);
    }
}
