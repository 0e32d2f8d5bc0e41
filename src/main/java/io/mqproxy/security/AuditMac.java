package io.mqproxy.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Authenticates audit records: an HMAC-SHA256 of the record's stored bytes, under a key derived from
 * the requestId secret (HMAC(secret, "mqproxy-audit-v1")), which every instance of a fleet shares and
 * nobody else holds. So any instance verifies the others' records, and whoever can write to the audit
 * topic without the proxy (a data client once, anyone with broker access) cannot make a record that
 * passes. After a rotation of the secret, records signed under the previous one still verify.
 */
public final class AuditMac {
    private static final byte[] LABEL = "mqproxy-audit-v1".getBytes(StandardCharsets.UTF_8);

    private final byte[] current;
    private final List<byte[]> keys = new ArrayList<>();

    /** @param previous the requestId secret before a rotation, or null */
    public AuditMac(byte[] requestIdSecret, byte[] previous) {
        current = derive(requestIdSecret);
        keys.add(current);
        if (previous != null && previous.length > 0) {
            keys.add(derive(previous));
        }
    }

    /** The MAC of a record's bytes, base64url without padding. */
    public String sign(byte[] record) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HmacSha256.of(current, record));
    }

    /** Whether {@code mac} is one of this fleet's keys' MAC of exactly these bytes (false when null or garbled). */
    public boolean verifies(byte[] record, String mac) {
        if (mac == null || record == null) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(mac);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        for (byte[] key : keys) {
            if (MessageDigest.isEqual(HmacSha256.of(key, record), given)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] derive(byte[] secret) {
        return HmacSha256.of(secret, LABEL);
    }
}
