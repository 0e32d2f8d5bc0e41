package io.mqproxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Audit records' MAC: only a holder of the requestId secret makes one that verifies (issue 21). */
class AuditMacTest {
    private static final byte[] SECRET = "fleet-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RECORD = "{\"operator\":\"alice\",\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRecordSignedByOneInstance_verifiesOnAnother_andNothingElseDoes() {
        String mac = new AuditMac(SECRET, null).sign(RECORD);
        assertThat(new AuditMac(SECRET, null).verifies(RECORD, mac)).isTrue();
        byte[] altered = "{\"operator\":\"mallory\",\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(new AuditMac(SECRET, null).verifies(altered, mac)).isFalse();
        assertThat(new AuditMac("another-secret-0123456789".getBytes(StandardCharsets.UTF_8), null)
            .verifies(RECORD, mac)).isFalse();
        assertThat(new AuditMac(SECRET, null).verifies(RECORD, null)).isFalse();
        assertThat(new AuditMac(SECRET, null).verifies(RECORD, "not base64 !")).isFalse();
        assertThat(new AuditMac(SECRET, null).verifies(RECORD, "")).isFalse();
    }

    @Test
    void theKeyIsDerived_notTheSecretItself_andARotatedSecretsRecordsStillVerify() throws Exception {
        javax.crypto.Mac plain = javax.crypto.Mac.getInstance("HmacSHA256");
        plain.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
        String withTheSecret = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(plain.doFinal(RECORD));
        assertThat(new AuditMac(SECRET, null).verifies(RECORD, withTheSecret)).isFalse();

        String old = new AuditMac(SECRET, null).sign(RECORD);
        AuditMac rotated = new AuditMac("the-new-secret-0123456789".getBytes(StandardCharsets.UTF_8), SECRET);
        assertThat(rotated.verifies(RECORD, old)).isTrue();
        assertThat(rotated.sign(RECORD)).isNotEqualTo(old);
    }
}
