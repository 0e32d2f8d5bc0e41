package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.GroupOverrides;
import io.mqproxy.registry.PushChange;
import io.mqproxy.registry.RuntimeEntries;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 21, finding 5: a webhook secret reaches the KV store sealed, and comes back whole. */
class PushSecretsTest {
    private static final String SECRET = "push-secret-7f3a9c0d2e";
    private final io.mqproxy.security.SecretSeal seal =
        new io.mqproxy.security.SecretSeal("requestid-key-0123456789".getBytes(StandardCharsets.UTF_8), null);

    private static RuntimeEntries.ConsumerEntry entry(String secret) {
        PushChange push = new PushChange("http://hooks.example/x", secret, null, 4, 0, 1, 100L, 1000L, 5000L, false);
        return new RuntimeEntries.ConsumerEntry("g", "t", ProxyConfig.ConsumeMode.CLUSTERING, true,
            GroupChange.push(push).overrides(), false);
    }

    private static String written(RuntimeEntries.ConsumerEntry e, io.mqproxy.security.SecretSeal seal)
        throws Exception {
        return RegistrySync.JSON.writeValueAsString(PushSecrets.sealed(RegistrySync.JSON.valueToTree(e), seal));
    }

    private static RuntimeEntries.ConsumerEntry read(String json, io.mqproxy.security.SecretSeal seal)
        throws Exception {
        return RegistrySync.JSON.treeToValue(PushSecrets.opened(RegistrySync.JSON.readTree(json), seal),
            RuntimeEntries.ConsumerEntry.class);
    }

    @Test
    void theSecretIsWrittenSealed_andReadBackWhole() throws Exception {
        String json = written(entry(SECRET), seal);
        assertThat(json).doesNotContain(SECRET).contains("\"sealedSecret\"").doesNotContain("\"secret\"");
        assertThat(read(json, seal)).isEqualTo(entry(SECRET));
    }

    @Test
    void anEntryWrittenBeforeSealing_stillLoads_andIsSealedWhenWrittenAgain() throws Exception {
        String old = RegistrySync.JSON.writeValueAsString(entry(SECRET));
        assertThat(old).contains(SECRET);
        RuntimeEntries.ConsumerEntry loaded = read(old, seal);
        assertThat(loaded.settings().push().secret()).isEqualTo(SECRET);
        assertThat(written(loaded, seal)).doesNotContain(SECRET);
    }

    @Test
    void entriesWithoutAWebhook_orRemovingIt_areUnchanged() throws Exception {
        var plain = new RuntimeEntries.ConsumerEntry("g", null, null, null, GroupOverrides.NONE, false);
        assertThat(read(written(plain, seal), seal)).isEqualTo(plain);
        var removed = new RuntimeEntries.ConsumerEntry("g", null, null, null,
            GroupChange.push(PushChange.REMOVED).overrides(), false);
        assertThat(read(written(removed, seal), seal)).isEqualTo(removed);
    }

    @Test
    void aSecretSealedWithAnotherKey_leavesTheGroupWithoutItsWebhook_notWithoutTheGroup() throws Exception {
        String json = written(entry(SECRET), new io.mqproxy.security.SecretSeal(
            "another-key-0123456789".getBytes(StandardCharsets.UTF_8), null));
        RuntimeEntries.ConsumerEntry loaded = read(json, seal);
        assertThat(loaded.name()).isEqualTo("g");
        assertThat(loaded.settings().push()).isEqualTo(PushChange.REMOVED);
        ObjectNode tree = (ObjectNode) RegistrySync.JSON.readTree(json);
        assertThat(tree.path("settings").path("push").path("sealedSecret").asText()).isNotEmpty();
    }
}
