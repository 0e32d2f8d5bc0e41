package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets the embedded proxy makes for itself are kept from other users and survive a restart. */
class SecretFilesTest {
    @TempDir
    Path dir;

    private ProxyConfig embedded() {
        return ConfigLoader.load(null, Map.of(), Map.of("embedded.dataDir", dir.toString()));
    }

    @Test
    void theRequestIdKeyFile_isOwnerOnly_andStable() throws Exception {
        byte[] key = RequestIdSecret.resolve(embedded());
        Path file = dir.resolve("requestid.secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(RequestIdSecret.resolve(embedded())).isEqualTo(key);
    }

    @Test
    void withNoOperatorConfigured_anEmbeddedProxyMakesOne_withAnOwnerOnlyTokenFile() throws Exception {
        List<ProxyConfig.Operator> operators = OperatorToken.operators(embedded());
        assertThat(operators).hasSize(1);
        Path file = dir.resolve("operator.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).trim()).isEqualTo(operators.get(0).token());
        assertThat(operators.get(0).token()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(OperatorToken.operators(embedded()).get(0).token()).isEqualTo(operators.get(0).token());
    }

    @Test
    void againstAnExternalCluster_nobodyIsMadeUp() {
        ProxyConfig external = ConfigLoader.load(null, Map.of(), Map.of("broker.namesrvAddr", "10.0.0.1:9876",
            "consume.requestIdSecret", "0123456789abcdef-shared"));
        assertThat(OperatorToken.operators(external)).isEmpty();
    }
}
