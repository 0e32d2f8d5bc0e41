package io.mqproxy.broker.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.rocketmq.broker.BrokerPathConfigHelper;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.apache.rocketmq.store.timer.TimerCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reflections.Reflections;
import org.reflections.scanners.SubTypesScanner;
import org.reflections.util.ClasspathHelper;
import org.reflections.util.ConfigurationBuilder;

/** What the embedded broker's start leaves out must not change what the broker finds or does. */
class EmbeddedStartTest {
    /** The scan RocketMQ's RequestHeaderRegistry makes while the broker initializes. */
    private static Set<String> headers() {
        return new Reflections(new ConfigurationBuilder()
            .setUrls(ClasspathHelper.forPackage("org.apache.rocketmq.remoting.protocol.header"))
            .setScanners(new SubTypesScanner(false)))
            .getSubTypesOf(CommandCustomHeader.class).stream().map(Class::getName).collect(Collectors.toSet());
    }

    @Test
    void narrowedScan_findsTheSameRequestHeaders() throws Exception {
        Set<String> usual = headers();
        Set<String> narrowed = RemotingOnlyScan.during(EmbeddedStartTest::headers);
        assertThat(usual).hasSizeGreaterThan(100);
        assertThat(narrowed).isEqualTo(usual);
        assertThat(headers()).as("the usual scan afterwards").isEqualTo(usual);
    }

    @Test
    void newStore_timerReadsFromNow_anExistingOneIsLeftAlone(@TempDir Path dir) throws Exception {
        Path fresh = dir.resolve("fresh");
        long before = System.currentTimeMillis();
        FreshTimerCheckpoint.prepare(fresh, fresh.resolve("commitlog"), 1000);
        TimerCheckpoint written = new TimerCheckpoint(BrokerPathConfigHelper.getTimerCheckPath(fresh.toString()));
        try {
            assertThat(written.getLastReadTimeMs()).isBetween(before - 1000, System.currentTimeMillis());
        } finally {
            written.shutdown();
        }

        Path used = dir.resolve("used");
        Files.createDirectories(used.resolve("commitlog"));
        Files.write(used.resolve("commitlog").resolve("00000000000000000000"), new byte[] {1});
        FreshTimerCheckpoint.prepare(used, used.resolve("commitlog"), 1000);
        assertThat(Path.of(BrokerPathConfigHelper.getTimerCheckPath(used.toString()))).doesNotExist();
    }
}
