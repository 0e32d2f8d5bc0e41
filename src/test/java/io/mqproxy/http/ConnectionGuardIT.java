package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard's backstop and its bookkeeping, on a bare Vert.x server (no broker needed): a request read whole
 * that nobody answers has its connection closed at the backstop; an answer under way (a stream) is not cut;
 * the guard counts requests in flight and knows when each began. The proxy's own time-outs are in
 * {@link ConnectionLimitsIT}.
 */
class ConnectionGuardIT {
    private static final int BACKSTOP_SECONDS = 2;
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    private static final AtomicInteger inFlight = new AtomicInteger();
    private static final AtomicLong startedAt = new AtomicLong();
    private static Vertx vertx;
    private static ConnectionGuard guard;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        CompletableFuture<HttpServer> started = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            // Idle and body time-outs long enough not to matter here: only the backstop acts.
            guard = new ConnectionGuard(30, 30, BACKSTOP_SECONDS, inFlight);
            Router router = Router.router(vertx);
            router.route().handler(guard);
            router.get("/never").handler(ctx -> startedAt.set(guard.startedAt(ctx)));
            router.get("/stream").handler(ctx -> ctx.response().setChunked(true).write("started\n"));
            router.get("/answered").handler(ctx -> {
                long began = guard.startedAt(ctx);
                ctx.response().end(began != ConnectionGuard.UNKNOWN && began <= System.nanoTime() ? "timed" : "untimed");
            });
            vertx.createHttpServer().connectionHandler(guard::connected).requestHandler(router).listen(0, "127.0.0.1")
                .onSuccess(server -> vertx.setPeriodic(guard.sweepMillis(), id -> guard.sweep()))
                .onComplete(r -> {
                    if (r.succeeded()) {
                        started.complete(r.result());
                    } else {
                        started.completeExceptionally(r.cause());
                    }
                });
        });
        port = started.get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterAll
    static void stopServer() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void requestNobodyAnswers_isCutAtTheBackstop_notBefore() {
        try (RawHttp http = RawHttp.connect(port)) {
            long sent = System.nanoTime();
            http.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(GENEROUS).until(() -> startedAt.get() != 0);
            assertThat(startedAt.get()).as("the guard knows when the request began").isNotEqualTo(ConnectionGuard.UNKNOWN);
            assertThat(inFlight.get()).as("counted in flight while unanswered").isPositive();
            assertThat(http.closedWithin(GENEROUS)).as("closed at the backstop").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("not before the backstop")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(BACKSTOP_SECONDS).minusMillis(100));
        }
        await().atMost(GENEROUS).until(() -> inFlight.get() == 0);
    }

    @Test
    void answerUnderWay_isNotCutByTheBackstop() {
        try (RawHttp http = RawHttp.connect(port)) {
            http.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(http.readHead(GENEROUS).httpStatus()).isEqualTo(200);
            assertThat(http.closedWithin(Duration.ofSeconds(3L * BACKSTOP_SECONDS))).as("stream still open").isFalse();
        }
    }

    @Test
    void answeredRequest_wasTimedFromItsHead() {
        try (RawHttp http = RawHttp.connect(port)) {
            http.send("GET /answered HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(http.read(GENEROUS).text()).isEqualTo("timed");
        }
    }
}
