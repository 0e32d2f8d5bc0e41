package io.mqproxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 21, finding 3, from outside: a broadcast clientId carrying line ends, ESC or a line separator,
 * or far too long, reaches the proxy's log (a new clientId is logged) only escaped and bounded: no
 * forged record starts a line of its own, neither in the message nor in what the console appender writes.
 */
class LogInjectionIT {
    private static final String FORGED = "1999-01-01T00:00:00.000Z INFO  [main] audit - operator=alice "
        + "action=deleteGroup result=ok";

    @Alongside
    @Test
    void clientIdsWithLineEndsAndEscapes_areLoggedEscapedOnOneLine() {
        String topic = TestBroker.get().newTopic("log-inject", 1);
        List<String> hostile = List.of(
            "q\n" + FORGED,
            "r\r" + FORGED,
            "s\r\n" + FORGED,
            "t\u001b[2J\u001b[1;1H" + FORGED,
            "u\u2028" + FORGED,
            "v\u0085" + FORGED,
            "w".repeat(256));
        try (LogCapture logs = LogCapture.attach(Level.INFO);
             TestProxy proxy = TestProxy.builder().consumer("log-inject-g", topic,
                 Map.of("mode", "broadcast", "pop", true)).start()) {
            for (String clientId : hostile) {
                var reply = new Consumer(proxy.client(), topic, "log-inject-g").with("clientId", clientId)
                    .with("timeout", "0").poll();
                assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> newClientLines(logs).size() == hostile.size());
            List<String> lines = newClientLines(logs);
            for (String line : lines) {
                assertThat(line).doesNotContain("\n", "\r", "\u001b", "\u2028", "\u0085");
            }
            assertThat(lines).anyMatch(l -> l.contains("'q\\n" + FORGED + "'"))
                .anyMatch(l -> l.contains("'r\\r" + FORGED + "'"))
                .anyMatch(l -> l.contains("'s\\r\\n" + FORGED + "'"))
                .anyMatch(l -> l.contains("'t\\u001b[2J\\u001b[1;1H" + FORGED + "'"))
                .anyMatch(l -> l.contains("'u\\u2028" + FORGED + "'"))
                .anyMatch(l -> l.contains("'v\\u0085" + FORGED + "'"))
                // The longest clientId accepted, cut at 200: the rest counted.
                .anyMatch(l -> l.contains("'" + "w".repeat(200) + "…(+56)'"));

            // What the console appender writes (the stream operators ship): one line per record.
            for (String written : rendered(logs)) {
                assertThat(written).endsWith(System.lineSeparator());
                String[] physical = written.split("\r\n|\r|\n|\u2028|\u2029|\u0085");
                assertThat(physical).as(written).hasSize(1);
                assertThat(written).doesNotContain("\u001b");
            }
            for (String written : rendered(logs)) {
                assertThat(written).doesNotStartWith("1999-");
            }
        }
    }

    private static List<String> newClientLines(LogCapture logs) {
        return logs.events().stream().map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.startsWith("broadcast consumer log-inject-g: new clientId")).toList();
    }

    /** The proxy's events rendered by the STDOUT appender's own encoder (logback.xml's pattern). */
    private static List<String> rendered(LogCapture logs) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var stdout = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        assertThat(stdout).as("logback.xml's STDOUT appender").isNotNull();
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : logs.events()) {
            if (e.getFormattedMessage().contains("log-inject-g")) {
                out.add(new String(stdout.getEncoder().encode(e), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
