package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The control plane's HTTP API as the command line calls it: one request, its envelope back. */
final class AdminApi {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: its envelope's status, message and result. */
    /** @param page where a paged answer stands (the audit log's cursor and counts), or null */
    record Answer(int status, String message, JsonNode result, JsonNode page) {
        Answer(int status, String message, JsonNode result) {
            this(status, message, result, null);
        }

        boolean ok() {
            return status == 200;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;

    AdminApi(String url, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
    }

    Answer call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(60))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode envelope;
        try {
            envelope = JSON.readTree(response.body());
        } catch (IOException notJson) {
            return new Answer(response.statusCode(), "not an MQ-Proxy answer (HTTP " + response.statusCode() + ")",
                null);
        }
        return new Answer(envelope.path("status").asInt(response.statusCode()),
            envelope.path("message").asText(null), envelope.get("result"), envelope.get("page"));
    }
}
