package io.mqproxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
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
 * {@code %trace}), with tracing off too: the trace id is the producer's {@code traceparent}'s.
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
