package io.mqproxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The one signer is plain HMAC-SHA256: the RFC's vector, and parts signed as if concatenated. */
class HmacSha256Test {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 4231, test case 2. */
    @Test
    void matchesTheRfcTestVector() {
        assertThat(HexFormat.of().formatHex(HmacSha256.of("Jefe", ascii("what do ya want for nothing?"))))
            .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void partsAreSignedAsIfConcatenated() {
        assertThat(HmacSha256.of("secret", ascii("1767225600."), ascii("{\"a\":1}")))
            .isEqualTo(HmacSha256.of("secret", ascii("1767225600.{\"a\":1}")))
            .isEqualTo(HmacSha256.of("secret".getBytes(StandardCharsets.UTF_8), ascii("1767225600.{\"a\":1}")));
    }

    /** Records already in the audit topic keep verifying: the MAC is the one computed apart (Python's hmac). */
    @Test
    void auditMac_isUnchanged() {
        AuditMac audit = new AuditMac(ascii("0123456789abcdef0123456789abcdef"), null);
        assertThat(audit.sign(ascii("{\"action\":\"pause\"}")))
            .isEqualTo("QOaDSOrlX7V6-v_4InWBh_hjlLdbHl7keIFaM8H1W80");
    }
}
