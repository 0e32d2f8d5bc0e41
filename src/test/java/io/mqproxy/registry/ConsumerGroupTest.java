package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer group as served (issue 23: its identity, its delivery settings, the operator's run-time state):
 * changes by name keep everything they do not name, a run-time registration starts from the defaults, the
 * operators' changes merge over the file's entry, and its written form is the flat object it always was.
 */
class ConsumerGroupTest {
    private static final PushSubscription HOOK = new PushSubscription("http://h/x", "s3cret-s3cret-s3cret", null, 4,
        0, 16, 100, 1000, 5000);
    private static final SubscriptionFilter TAGS = new SubscriptionFilter(SubscriptionFilter.Type.TAG, "a || b");
    private static final ProxyConfig.GroupSettings BROADCAST_SETTINGS = new ProxyConfig.GroupSettings(
        ProxyConfig.ConsumeMode.BROADCAST, false, 32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.EARLIEST, 3600, 100);
    private static final ProxyConfig.GroupSettings PLAIN_SETTINGS = new ProxyConfig.GroupSettings(
        ProxyConfig.ConsumeMode.CLUSTERING, true, 32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.LATEST, 0, 100);

    private static final ConsumerGroup BROADCAST = new ConsumerGroup("g", "t", BROADCAST_SETTINGS, true, 7, true, HOOK,
        TAGS);
    private static final ConsumerGroup PLAIN = new ConsumerGroup("g", "t", PLAIN_SETTINGS, false, 0, false, null, null);

    @TempDir
    Path dir;

    /**
     * The audit log stores groups before and after a change (signed: its bytes must stay what they were) and
     * the control plane answers with them: the flat object of eighteen fields in this order, nulls written.
     */
    @Test
    void writtenForm_isTheFlatObjectItAlwaysWas() throws Exception {
        assertThat(RegistrySync.JSON.writeValueAsString(BROADCAST)).isEqualTo("{\"name\":\"g\",\"topic\":\"t\","
            + "\"mode\":\"BROADCAST\",\"pop\":false,\"maxPullSize\":32,\"consumeTimeoutSeconds\":30,"
            + "\"minConsumeTimeoutSeconds\":1,\"maxConsumeTimeoutSeconds\":0,\"pullTimeoutSeconds\":10,"
            + "\"maxRetries\":16,\"broadcastStart\":\"EARLIEST\",\"clientTtlSeconds\":3600,\"maxClientIds\":100,"
            + "\"paused\":true,\"rateLimit\":7,\"runtime\":true,"
            + "\"push\":{\"url\":\"http://h/x\",\"clientId\":null,\"maxInFlight\":4,\"ratePerSecond\":0,"
            + "\"batchSize\":16,\"minBackoffMillis\":100,\"maxBackoffMillis\":1000,\"timeoutMillis\":5000},"
            + "\"filter\":{\"type\":\"TAG\",\"expression\":\"a || b\"}}");
        assertThat(RegistrySync.JSON.writeValueAsString(PLAIN)).isEqualTo("{\"name\":\"g\",\"topic\":\"t\","
            + "\"mode\":\"CLUSTERING\",\"pop\":true,\"maxPullSize\":32,\"consumeTimeoutSeconds\":30,"
            + "\"minConsumeTimeoutSeconds\":1,\"maxConsumeTimeoutSeconds\":0,\"pullTimeoutSeconds\":10,"
            + "\"maxRetries\":16,\"broadcastStart\":\"LATEST\",\"clientTtlSeconds\":0,\"maxClientIds\":100,"
            + "\"paused\":false,\"rateLimit\":0,\"runtime\":false,\"push\":null,\"filter\":null}");
    }

    @Test
    void eachChangeByName_changesItsOneComponent_andKeepsTheRest() {
        ConsumerGroup g = BROADCAST;
        assertThat(g.withPaused(false)).isEqualTo(new ConsumerGroup("g", "t", BROADCAST_SETTINGS, false, 7, true, HOOK,
            TAGS));
        assertThat(g.withRateLimit(0)).isEqualTo(new ConsumerGroup("g", "t", BROADCAST_SETTINGS, true, 0, true, HOOK,
            TAGS));
        assertThat(g.withRuntime(false)).isEqualTo(new ConsumerGroup("g", "t", BROADCAST_SETTINGS, true, 7, false,
            HOOK, TAGS));
        assertThat(g.withPush(null)).isEqualTo(new ConsumerGroup("g", "t", BROADCAST_SETTINGS, true, 7, true, null,
            TAGS));
        assertThat(g.withFilter(null)).isEqualTo(new ConsumerGroup("g", "t", BROADCAST_SETTINGS, true, 7, true, HOOK,
            null));
        assertThat(g.withSettings(PLAIN_SETTINGS)).isEqualTo(new ConsumerGroup("g", "t", PLAIN_SETTINGS, true, 7, true,
            HOOK, TAGS));
        assertThat(g.withPaused(true)).as("the same value: an equal group").isEqualTo(g);
    }

    @Test
    void aFilterOfEveryTag_isNoFilter_howeverItIsSet() {
        assertThat(PLAIN.withFilter(SubscriptionFilter.EVERY_MESSAGE).filter()).isNull();
        assertThat(new ConsumerGroup("g", "t", PLAIN_SETTINGS, false, 0, false, null,
            new SubscriptionFilter(SubscriptionFilter.Type.TAG, " * ")).filter()).isNull();
    }

    @Test
    void whatKindOfGroupItIs_isReadFromItsSettings() {
        assertThat(BROADCAST.broadcast()).isTrue();
        assertThat(BROADCAST.mode()).isEqualTo(ProxyConfig.ConsumeMode.BROADCAST);
        assertThat(BROADCAST.pop()).isFalse();
        assertThat(PLAIN.broadcast()).isFalse();
        assertThat(PLAIN.pop()).isTrue();
        assertThat(PLAIN.consumeTimeoutCap()).isEqualTo(PLAIN_SETTINGS.consumeTimeoutCap());
        assertThat(BROADCAST.consumeTimeoutCap()).as("queue-held: the held cap")
            .isEqualTo(ProxyConfig.HELD_CONSUME_TIMEOUT_CAP);
    }

    @Test
    void aRunTimeRegistration_startsFromTheDefaults_withTheModeAndPopItNames() {
        ConsumerGroup asked = ConsumerGroup.registered("rt", "t", PLAIN_SETTINGS, ProxyConfig.ConsumeMode.BROADCAST,
            false);
        assertThat(asked.settings()).isEqualTo(new ProxyConfig.GroupSettings(ProxyConfig.ConsumeMode.BROADCAST, false,
            32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.LATEST, 0, 100));
        assertThat(asked.runtime()).isTrue();
        assertThat(asked.paused()).isFalse();
        assertThat(asked.rateLimit()).isZero();
        assertThat(asked.push()).isNull();
        assertThat(asked.filter()).isNull();
        assertThat(ConsumerGroup.registered("rt", "t", PLAIN_SETTINGS, null, null).settings())
            .as("nothing named: the defaults").isEqualTo(PLAIN_SETTINGS);
    }

    @Test
    void theOperatorsChanges_overTheFilesEntry_replaceWhatTheySet_andNeverTheTopicOrMode() throws IOException {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, "consumers:\n"
            + "  - {name: billing, topic: t, mode: broadcast, maxRetries: 3, consumeTimeoutSeconds: 60,\n"
            + "     filter: {type: TAG, expression: paid}}\n");
        Registry registry = new Registry(ConfigLoader.load(file, Map.of(), Map.of()));
        ConsumerGroup fromFile = registry.consumer("billing").orElseThrow();
        assertThat(fromFile.runtime()).isFalse();
        assertThat(fromFile.settings().maxRetries()).isEqualTo(3);

        GroupOverrides changes = GroupChange.maxPullSize(5).and(GroupChange.pause(true)).and(GroupChange.rateLimit(9))
            .overrides();
        registry.apply(new RuntimeEntries(Map.of("billing", new RuntimeEntries.ConsumerEntry("billing", "other",
            ProxyConfig.ConsumeMode.CLUSTERING, true, changes, false)), Map.of()));
        ConsumerGroup now = registry.consumer("billing").orElseThrow();

        assertThat(now).isEqualTo(fromFile.withPaused(true).withRateLimit(9)
            .withSettings(new ProxyConfig.GroupSettings(ProxyConfig.ConsumeMode.BROADCAST, fromFile.pop(), 5, 60,
                fromFile.settings().minConsumeTimeoutSeconds(), fromFile.settings().maxConsumeTimeoutSeconds(),
                fromFile.settings().pullTimeoutSeconds(), 3, fromFile.settings().broadcastStart(),
                fromFile.settings().clientTtlSeconds(), fromFile.settings().maxClientIds())));
        assertThat(now.topic()).isEqualTo("t");
        assertThat(now.filter()).isEqualTo(new SubscriptionFilter(SubscriptionFilter.Type.TAG, "paid"));

        registry.apply(new RuntimeEntries(Map.of("billing", new RuntimeEntries.ConsumerEntry("billing", null, null,
            null, GroupChange.clearFilter().over(changes), false)), Map.of()));
        assertThat(registry.consumer("billing").orElseThrow()).as("the file's filter cleared, the rest kept")
            .isEqualTo(now.withFilter(null));

        registry.apply(RuntimeEntries.NONE);
        assertThat(registry.consumer("billing").orElseThrow()).as("no run-time entry: the file's group")
            .isEqualTo(fromFile);
    }
}
