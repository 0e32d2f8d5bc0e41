package io.mqproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP server in the test that receives webhook pushes as an application's endpoint would: it
 * records every request (headers, body, time) and answers each with the status its rule gives for the
 * request's number (0, 1, ...), or never answers while {@link #hang} is set.
 */
public final class PushReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request received. */
    public record Received(Map<String, String> headers, byte[] body, long atMillis) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The ids of the messages this request carried. */
        public List<String> messageIds() {
            List<String> ids = new ArrayList<>();
            json().path("messages").forEach(m -> ids.add(m.path("messageId").asText()));
            return ids;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final List<Received> received = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile IntUnaryOperator answer = n -> 200;
    private volatile boolean hang;
    private volatile long delayMillis;

    public PushReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            int n;
            synchronized (received) {
                n = received.size();
                received.add(new Received(headers, body, System.currentTimeMillis()));
            }
            try {
                if (hang) {
                    released.await(120, TimeUnit.SECONDS);
                }
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(answer.applyAsInt(n), -1);
            exchange.close();
        });
        server.start();
    }

    /** The status for request number n (0-based, over all requests). */
    public PushReceiver answering(IntUnaryOperator rule) {
        this.answer = rule;
        return this;
    }

    /** Holds every request without an answer until {@link #close}. */
    public PushReceiver hang() {
        this.hang = true;
        return this;
    }

    /** Answers the requests {@link #hang} holds, and holds no more. */
    public PushReceiver release() {
        this.hang = false;
        released.countDown();
        return this;
    }

    public PushReceiver delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Every message id of every request, in arrival order (a message pushed twice appears twice). */
    public List<String> messageIds() {
        return received().stream().flatMap(r -> r.messageIds().stream()).toList();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
