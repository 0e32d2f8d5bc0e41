package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A setting is "from the config file" only when the group's own entry gives it (issue 22: the console
 * said so of every setting of a file group, a default pull size and "paused" included).
 */
class RegistryFileSettingsTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheSettingsAnEntryGives_areTheFiles() throws IOException {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, "consume:\n  defaults:\n    maxPullSize: 20\n"
            + "consumers:\n  - {name: billing, topic: t, maxRetries: 3, consumeTimeoutSeconds: 60}\n"
            + "  - {name: plain, topic: t}\n");
        ProxyConfig config = ConfigLoader.load(file, Map.of(), Map.of());
        Registry registry = new Registry(config);

        assertThat(registry.fileSettings("billing")).containsExactly("consumeTimeoutSeconds", "maxRetries");
        assertThat(registry.fileSettings("plain")).as("inherits everything: all defaults").isEmpty();
        assertThat(registry.fileSettings("registered-at-run-time")).isEmpty();
    }
}
