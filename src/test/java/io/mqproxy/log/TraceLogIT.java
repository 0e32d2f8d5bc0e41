package io.mqproxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Log lines written while handling a traced message carry its trace id ({@code trace=<32 hex>} from logback.xml's
 * {@code %trace}), with tracing off too: the trace id is the producer's {@code traceparent}'s. So do lines written
 * on the proxy's pools and the broker client's threads while they carry on a request's work, and only those.
 */
class TraceLogIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void aFailingWebhooksLogLine_carriesThePushedMessagesTraceId() {
        String traceId = "5ce0e9a56015fec5aadfa328ae398115";
        String topic = TestBroker.get().newTopic("trace-log", 1);
        try (PushReceiver hook = new PushReceiver().answering(n -> 500);
             LogCapture logs = LogCapture.attach();
             TestProxy proxy = TestProxy.builder().producer("trace-log-p", topic)
                 .consumer("trace-log-g", topic, Map.of("pop", true, "push", Map.of("url", hook.url("/hook"),
                     "secret", "push-secret-0123456789")))
                 .start()) {
            ProxyClient client = proxy.client();
            Reply sent = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-ab42124a3c573678-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"trace-log-p\",\"message\":\"refused\"}")));
            assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);

            ILoggingEvent failure = await().atMost(BOUND).until(() -> logs.events().stream()
                .filter(e -> e.getFormattedMessage().startsWith("push of consumer trace-log-g"))
                .findFirst(), Optional::isPresent).orElseThrow();
            assertThat(failure.getFormattedMessage()).contains("answered HTTP 500");
            assertThat(failure.getMDCPropertyMap()).containsEntry(TraceIds.KEY, traceId);
            String line = rendered(failure);
            assertThat(line).contains(" trace=" + traceId);
            assertThat(line.strip()).as("one line").doesNotContain("\n");
        }
    }

    @Test
    void aLineWrittenOnAPool_carriesTheTraceIdOfTheRequestWhoseWorkItIs_andTheNextRequestsLineNone() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String topic = TestBroker.get().newTopic("trace-pool", 1);
        // One directory thread: the second client's line is written on the thread that wrote the first's.
        try (LogCapture logs = LogCapture.attach(Level.INFO);
             TestProxy proxy = TestProxy.builder()
                 .consumer("trace-pool-g", topic, Map.of("mode", "broadcast", "pop", true))
                 .set("threads.clientDirectory", "1")
                 .start()) {
            ProxyClient client = proxy.client();
            // A broadcast client's first poll registers it on the client-directory pool, which logs it there.
            Reply traced = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                    "/mq/message?topic=" + topic + "&consumer=trace-pool-g&clientId=traced&pullTimeout=1"))
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .GET());
            assertThat(traced.status()).as(traced.raw().body()).isEqualTo(200);
            Reply plain = new Consumer(client, topic, "trace-pool-g").with("clientId", "plain")
                .with("pullTimeout", "1").pollWithoutAck();
            assertThat(plain.status()).as(plain.raw().body()).isEqualTo(200);

            ILoggingEvent first = logged(logs, "broadcast consumer trace-pool-g: new clientId 'traced'");
            ILoggingEvent second = logged(logs, "broadcast consumer trace-pool-g: new clientId 'plain'");
            assertThat(first.getThreadName()).startsWith("mqproxy-client-directory");
            assertThat(second.getThreadName()).isEqualTo(first.getThreadName());
            assertThat(first.getMDCPropertyMap()).containsEntry(TraceIds.KEY, traceId);
            assertThat(rendered(first)).contains(" trace=" + traceId);
            assertThat(second.getMDCPropertyMap()).as("nothing left behind").doesNotContainKey(TraceIds.KEY);
            assertThat(rendered(second)).doesNotContain("trace=");
        }
    }

    @Test
    void aDeadLetterMove_carriesTheTraceIdOfThePollWhosePopFoundIt() {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String topic = TestBroker.get().newTopic("trace-dlq", 1);
        try (LogCapture logs = LogCapture.attach(Level.INFO);
             TestProxy proxy = TestProxy.builder().producer("trace-dlq-p", topic)
                 .consumer("trace-dlq-g", topic, Map.of("pop", true, "maxRetries", 0, "consumeTimeoutSeconds", 1,
                     "minConsumeTimeoutSeconds", 1))
                 .start()) {
            ProxyClient client = proxy.client();
            assertThat(client.produce(ProxyClient.form("producer", "trace-dlq-p", "message", "poison")).status())
                .isEqualTo(200);
            Consumer consumer = new Consumer(client, topic, "trace-dlq-g").with("pullTimeout", "1");
            await().atMost(BOUND).until(() -> !Consumer.bodies(consumer.pollWithoutAck()).isEmpty());

            // Not acked: back after a second with one delivery too many. The pop that finds it runs its answer on the
            // broker client's thread, which hands the move to the dead-letter pool: both under this poll's trace id.
            ILoggingEvent moved = await().atMost(BOUND).until(() -> {
                Reply poll = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                        "/mq/message?topic=" + topic + "&consumer=trace-dlq-g&pullTimeout=1"))
                    .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                    .GET());
                assertThat(poll.status()).as(poll.raw().body()).isEqualTo(200);
                return movedToDeadLetters(logs);
            }, Optional::isPresent).orElseThrow();
            assertThat(moved.getThreadName()).startsWith("mqproxy-dead-letter");
            assertThat(moved.getMDCPropertyMap()).containsEntry(TraceIds.KEY, traceId);
            assertThat(rendered(moved)).contains(" trace=" + traceId);
        }
    }

    private static Optional<ILoggingEvent> movedToDeadLetters(LogCapture logs) {
        return logs.events().stream()
            .filter(e -> e.getFormattedMessage().contains("moved to %DLQ%trace-dlq-g"))
            .findFirst();
    }

    private static ILoggingEvent logged(LogCapture logs, String message) {
        return await().atMost(BOUND).until(() -> logs.events().stream()
            .filter(e -> e.getFormattedMessage().startsWith(message))
            .findFirst(), Optional::isPresent).orElseThrow();
    }

    @Test
    void traceIds_takeOnlyAWellFormedTraceparentsId() {
        assertThat(TraceIds.of("00-5ce0e9a56015fec5aadfa328ae398115-ab42124a3c573678-01"))
            .isEqualTo("5ce0e9a56015fec5aadfa328ae398115");
        assertThat(TraceIds.of("00-00000000000000000000000000000000-ab42124a3c573678-01")).isNull();
        assertThat(TraceIds.of("00-5CE0E9A56015FEC5AADFA328AE398115-ab42124a3c573678-01")).isNull();
        assertThat(TraceIds.of("00-5ce0e9a56015fec5aadfa328ae39\n115-ab42124a3c573678-01")).isNull();
        assertThat(TraceIds.of(null)).isNull();
        try (TraceIds.Scope outer = TraceIds.with("a".repeat(32))) {
            try (TraceIds.Scope inner = TraceIds.with("b".repeat(32))) {
                assertThat(org.slf4j.MDC.get(TraceIds.KEY)).isEqualTo("b".repeat(32));
            }
            assertThat(org.slf4j.MDC.get(TraceIds.KEY)).as("restored").isEqualTo("a".repeat(32));
        }
        assertThat(org.slf4j.MDC.get(TraceIds.KEY)).isNull();
    }

    /** The event rendered by logback.xml's STDOUT encoder. */
    private static String rendered(ILoggingEvent event) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        var stdout = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        return new String(stdout.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
