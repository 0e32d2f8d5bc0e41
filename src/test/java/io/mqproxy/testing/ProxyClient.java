package io.mqproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Speaks the contract over real HTTP, so each test reads as the client scenario it checks. */
public final class ProxyClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String scheme;
    private final int producePort;
    private final int consumePort;
    private final int adminPort;

    public ProxyClient(int producePort, int consumePort, int adminPort) {
        this(producePort, consumePort, adminPort, null);
    }

    /** @param tls trust for https (every port), or null for plain http */
    public ProxyClient(int producePort, int consumePort, int adminPort, javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.scheme = tls == null ? "http" : "https";
        this.producePort = producePort;
        this.consumePort = consumePort;
        this.adminPort = adminPort;
    }

    /** A response: its HTTP status, headers and the parsed body (null when not JSON). */
    public record Reply(int httpStatus, JsonNode body, HttpResponse<String> raw) {
        /** The envelope's status, or -1 when the body is not a JSON envelope. */
        public int status() {
            return body == null ? -1 : body.path("status").asInt(-1);
        }

        public String message() {
            return body == null ? null : body.path("message").asText(null);
        }

        public JsonNode result() {
            return body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body.path("result");
        }
    }

    public Reply produce(Map<String, String> form) {
        return postForm(producePort, "/mq/produce", form);
    }

    public Reply produceBatch(Map<String, String> form) {
        return postForm(producePort, "/mq/produce/batch", form);
    }

    public Reply postForm(int port, String path, Map<String, String> form) {
        return send(HttpRequest.newBuilder(uri(port, path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(encode(form))));
    }

    public Reply postJson(int port, String path, String json) {
        return send(HttpRequest.newBuilder(uri(port, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A control-plane call on the admin port; {@code token} null sends no credential, {@code json} null no body. */
    public Reply admin(String method, String path, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(adminPort, path))
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    public Reply get(int port, String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(port, pathAndQuery)).GET());
    }

    public Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException notJson) {
                // left null: the caller asserts on raw
            }
            return new Reply(response.statusCode(), body, response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(int port, String pathAndQuery) {
        return URI.create(scheme + "://127.0.0.1:" + port + pathAndQuery);
    }

    public static String encode(Map<String, String> form) {
        return form.entrySet().stream()
            .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    }

    public static Map<String, String> form(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public int producePort() {
        return producePort;
    }

    public int consumePort() {
        return consumePort;
    }

    public int adminPort() {
        return adminPort;
    }
}
