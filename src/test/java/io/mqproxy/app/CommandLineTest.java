package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up command line: {@code --config FILE}, {@code --key=value}, {@code --help}. */
class CommandLineTest {

    @Test
    void configFileAndOverrides_areParsed() {
        CommandLine cli = CommandLine.parse(new String[] {"--config", "my.yaml", "--http.producePort=9082",
            "--broker.namesrvAddr=10.0.0.5:9876;10.0.0.6:9876"});
        assertThat(cli.configFile()).isEqualTo(Path.of("my.yaml"));
        assertThat(cli.overrides()).isEqualTo(Map.of("http.producePort", "9082",
            "broker.namesrvAddr", "10.0.0.5:9876;10.0.0.6:9876"));
        assertThat(cli.help()).isFalse();
    }

    @Test
    void configWithEquals_isParsed() {
        assertThat(CommandLine.parse(new String[] {"--config=other.yaml"}).configFile()).isEqualTo(Path.of("other.yaml"));
    }

    @Test
    void help_isRecognised() {
        assertThat(CommandLine.parse(new String[] {"--help"}).help()).isTrue();
        assertThat(CommandLine.parse(new String[] {"-h"}).help()).isTrue();
        assertThat(CommandLine.usage()).contains("--config").contains("MQPROXY_");
    }

    @Test
    void help_listsTheOptionsThatMatterAtStart() {
        // config file, ports, data folder, broker address, operator token file (README: "--help lists the options")
        assertThat(CommandLine.usage()).contains("--config FILE").contains("--http.producePort=")
            .contains("--http.consumePort=").contains("--admin.port=").contains("--embedded.dataDir=")
            .contains("--broker.namesrvAddr=").contains("operator.token").contains("--token-file");
    }

    @Test
    void configWithoutAPath_isRefused() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--config"}))
            .isInstanceOf(ConfigException.class).hasMessageContaining("--config");
    }

    @Test
    void unrecognisedArgument_isRefused_namingIt() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--http.producePort", "9082"}))
            .isInstanceOf(ConfigException.class).hasMessageContaining("--http.producePort");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"start"}))
            .isInstanceOf(ConfigException.class).hasMessageContaining("start");
    }

    @Test
    void valueMayContainEquals() {
        assertThat(CommandLine.parse(new String[] {"--consume.requestIdSecret=a=b=c"}).overrides())
            .containsEntry("consume.requestIdSecret", "a=b=c");
    }
}
