package io.mqproxy.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The signature of a signed data request: HMAC-SHA256, with the credential's secret, of
 * <pre>
 * METHOD \n PATH \n RAW-QUERY \n hex(SHA-256(body)) \n TIMESTAMP
 * </pre>
 * in lower-case hex. The query is signed as sent (no re-encoding), the body as its bytes, so whichever
 * way the parameters travel (query, form or JSON) they are covered, and the proxy checks exactly the
 * bytes it received. Clients in any language compute the same (README, "Credentials").
 */
public final class RequestSignature {
    public static final String KEY_HEADER = "X-MQProxy-Key";
    public static final String TIMESTAMP_HEADER = "X-MQProxy-Timestamp";
    public static final String SIGNATURE_HEADER = "X-MQProxy-Signature";

    private RequestSignature() {
    }

    /** The text that is signed. */
    public static String stringToSign(String method, String path, String rawQuery, byte[] body, String timestamp) {
        return method + "\n" + path + "\n" + (rawQuery == null ? "" : rawQuery) + "\n" + sha256Hex(body) + "\n"
            + timestamp;
    }

    public static String sign(String secret, String stringToSign) {
        return HexFormat.of().formatHex(HmacSha256.of(secret, stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    /** Compares in constant time. */
    static boolean matches(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
            given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0]
                : body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
