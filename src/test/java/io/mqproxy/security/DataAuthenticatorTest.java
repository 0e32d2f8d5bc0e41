package io.mqproxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.error.ProxyError;
import io.mqproxy.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Who may call the data plane, by the proxy's clock (issue 23: no sleeping): a credential is refused from its
 * expiry on; a signature is accepted within the window around its timestamp, and remembered only as long as
 * the window holds it; permissions name producers and groups; off, nothing is asked.
 */
class DataAuthenticatorTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final String SECRET = "authenticator-test-secret-0123456789";

    private final MutableClock clock = MutableClock.at(T0);
    private final List<Credential> credentials = new ArrayList<>(List.of(
        new Credential("k", SECRET, Set.of("p"), Set.of("g"), 0, false)));
    private final DataAuthenticator authenticator = new DataAuthenticator(true, () -> List.copyOf(credentials),
        WINDOW, 100, clock);

    private DataAuthenticator.Principal bearer(String token) {
        Map<String, String> headers = Map.of("Authorization", "Bearer " + token);
        return authenticator.authenticate("POST", "/mq/produce", null, null, headers::get, authenticator.nowMillis());
    }

    private DataAuthenticator.Principal signed(String body, long signedAt) {
        byte[] form = ("producer=p&message=" + body).getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(signedAt);
        Map<String, String> headers = Map.of(RequestSignature.KEY_HEADER, "k", RequestSignature.TIMESTAMP_HEADER, ts,
            RequestSignature.SIGNATURE_HEADER,
            RequestSignature.sign(SECRET, RequestSignature.stringToSign("POST", "/mq/produce", null, form, ts)));
        return authenticator.authenticate("POST", "/mq/produce", null, form, headers::get, authenticator.nowMillis());
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (ProxyError e) {
            return e.status();
        }
    }

    @Test
    void theTimeOfARequest_isTheClocks() {
        assertThat(authenticator.nowMillis()).isEqualTo(T0);
        clock.advance(Duration.ofSeconds(3));
        assertThat(authenticator.nowMillis()).isEqualTo(T0 + 3_000);
    }

    @Test
    void aCredential_isRefusedFromItsExpiryOn() {
        credentials.add(new Credential("short", "short-lived-secret-0123456789", Set.of("p"), Set.of(), T0 + 60_000,
            true));
        assertThat(bearer("short-lived-secret-0123456789").credential().id()).isEqualTo("short");
        clock.advance(Duration.ofMillis(59_999));
        assertThat(status(() -> bearer("short-lived-secret-0123456789"))).isEqualTo(200);
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> bearer("short-lived-secret-0123456789"))
            .isInstanceOf(ProxyError.class).hasMessageContaining("'short' has expired");
        assertThat(status(() -> bearer(SECRET))).as("a credential without expiry").isEqualTo(200);
    }

    @Test
    void aSignature_isAcceptedWithinTheWindowEitherSide_andRefusedBeyond() {
        clock.advance(WINDOW);
        assertThat(status(() -> signed("sent a window ago", T0))).isEqualTo(200);
        assertThat(status(() -> signed("sent too long ago", T0 - 1))).isEqualTo(401);
        assertThat(status(() -> signed("a clock a window ahead", T0 + 2 * WINDOW.toMillis()))).isEqualTo(200);
        assertThat(status(() -> signed("a clock too far ahead", T0 + 2 * WINDOW.toMillis() + 1))).isEqualTo(401);
    }

    @Test
    void aSignature_isRememberedWhileTheWindowHoldsIt_aReplayRefused() {
        assertThat(status(() -> signed("once", T0))).isEqualTo(200);
        assertThat(status(() -> signed("once", T0))).as("replay").isEqualTo(401);
        assertThat(authenticator.rememberedSignatures()).isEqualTo(1);
        clock.advance(WINDOW.plusMillis(1));
        assertThat(authenticator.rememberedSignatures()).as("out of the window: forgotten").isZero();
        assertThat(status(() -> signed("once", T0))).as("and the replay is refused by the window").isEqualTo(401);
    }

    @Test
    void permissions_nameTheProducersAndGroups() {
        DataAuthenticator.Principal p = bearer(SECRET);
        authenticator.requireProducer(p, "p");
        authenticator.requireConsumer(p, "g");
        assertThatThrownBy(() -> authenticator.requireProducer(p, "other")).isInstanceOf(ProxyError.class)
            .hasMessageContaining("may not produce with 'other'");
        assertThatThrownBy(() -> authenticator.requireConsumer(p, "other")).isInstanceOf(ProxyError.class)
            .hasMessageContaining("may not consume from 'other'");
        assertThat(status(() -> bearer("not-a-token"))).isEqualTo(401);
    }

    @Test
    void notRequired_asksNothing() {
        DataAuthenticator open = new DataAuthenticator(false, List::of, WINDOW, 100, clock);
        assertThat(open.authenticate("GET", "/mq/message", null, null, h -> null, open.nowMillis())).isNull();
        open.requireProducer(null, "anything");
    }
}
