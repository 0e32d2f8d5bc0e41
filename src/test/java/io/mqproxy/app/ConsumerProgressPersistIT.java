package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker keeps consumer progress in memory and writes it to disk now and then; after a
 * crash (kill -9) whatever was acked since the last write is delivered again. RocketMQ writes every
 * 5 s by default (9,920 duplicates in one crash); the proxy's embedded broker writes every second.
 */
class ConsumerProgressPersistIT {
    private static final String TOPIC = "persist-topic";
    private static final String GROUP = "persist-held";
    private static final int ROUNDS = 4;

    @TempDir
    Path data;

    @Test
    void ackedProgress_isOnDiskWithinAboutASecond() throws Exception {
        Path offsets = data.resolve("store").resolve("config").resolve("consumerOffset.json");
        try (TestProxy proxy = TestProxy.builder().embedded(data)
            .set("broker.defaultQueues", "1")
            .producer("persist-producer", TOPIC)
            // Queue-held (orderly POP): the broker's consumer offset moves at the ack, one message a batch.
            .consumer(GROUP, TOPIC, Map.of("maxPullSize", 1))
            .start()) {
            for (int i = 0; i < ROUNDS + 1; i++) {
                assertThat(proxy.client().produce(form("producer", "persist-producer", "message", "p" + i)).status())
                    .isEqualTo(200);
            }
            // The broker's first write comes 10 s after it started.
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(offsets));
            Consumer c = new Consumer(proxy.client(), TOPIC, GROUP);
            assertThat(Consumer.bodies(c.poll())).containsExactly("p0");
            List<Long> delays = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                // Acks the previous message: the committed offset becomes `round`. Each round starts just
                // after the previous write was seen, so its wait is about one whole write interval.
                assertThat(c.poll().status()).isEqualTo(200);
                long acked = System.nanoTime();
                long expected = round;
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> onDisk(offsets) >= expected);
                delays.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acked));
            }
            assertThat(delays).as("ms from an ack until its progress is on disk, per round")
                .allSatisfy(d -> assertThat(d).isLessThan(3_000));
        }
    }

    private static long onDisk(Path offsets) {
        try {
            Matcher m = Pattern.compile("\"" + TOPIC + "@" + GROUP + "\"\\s*:\\s*\\{\\s*0\\s*:\\s*(\\d+)")
                .matcher(Files.readString(offsets));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (java.io.IOException beingReplaced) {
            return -1;
        }
    }
}
