package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

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

    static final String CHECK = "is the proxy running, and listening there? Its admin address is admin.host and "
        + "admin.port in its configuration (default http://127.0.0.1:8083); give it with --url or MQPROXY_ADMIN_URL";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;

    AdminApi(String url, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
    }

    /** The proxy could not be reached at all: which URL was tried, and what to check. */
    static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    String url() {
        return url;
    }

    Answer call(String method, String path, Object body) throws IOException, InterruptedException, Unreachable {
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
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new Unreachable("no answer from " + url + " within " + (e instanceof HttpConnectTimeoutException
                ? "5 s to connect" : "60 s") + ": " + CHECK, e);
        } catch (SSLException e) {
            throw new Unreachable("TLS with " + url + " failed (" + reason(e) + "): with admin.tls on use "
                + "https://, with it off http://; " + CHECK, e);
        } catch (IOException e) {
            throw new Unreachable("cannot reach the proxy at " + url + " (" + reason(e) + "): " + CHECK, e);
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(response.body());
        } catch (IOException notJson) {
            envelope = null;
        }
        if (envelope == null || !envelope.isObject()) {
            return new Answer(response.statusCode(), "not an MQ-Proxy answer (HTTP " + response.statusCode()
                + " from " + url + path + "): is --url the proxy's admin port (admin.port, default 8083)?", null);
        }
        return new Answer(envelope.path("status").asInt(response.statusCode()),
            envelope.path("message").asText(null), envelope.get("result"), envelope.get("page"));
    }

    /** Why a connection failed, in words: the JDK's ConnectException often has no message at all. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
