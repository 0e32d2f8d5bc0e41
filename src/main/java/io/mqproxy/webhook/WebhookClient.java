package io.mqproxy.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.util.Map;

/**
 * The proxy's one client for outbound webhook POSTs: push deliveries and alert notifications. Non-blocking
 * (a Vert.x {@link WebClient} on the proxy's Vert.x), connections kept alive and pooled per endpoint, no
 * redirects followed (a signed body must not go elsewhere), no compression asked for, the answer's body
 * discarded. Each caller bounds its own requests in flight (a group's {@code maxInFlight}, the alert senders).
 */
public final class WebhookClient {
    /** Connections per endpoint (host and port): the largest {@code maxInFlight} a push group may have. */
    public static final int CONNECTIONS_PER_ENDPOINT = 1024;

    private final WebClient client;

    public WebhookClient(Vertx vertx) {
        this.client = WebClient.create(vertx, new WebClientOptions()
            .setMaxPoolSize(CONNECTIONS_PER_ENDPOINT)
            .setMaxWaitQueueSize(CONNECTIONS_PER_ENDPOINT)
            .setKeepAlive(true)
            .setFollowRedirects(false)
            .setTryUseCompression(false));
    }

    /**
     * POSTs {@code body} to {@code url} with {@code headers}. {@code timeoutMillis} bounds the connect and
     * each wait for the answer's bytes; a time-out fails the future with a
     * {@link java.util.concurrent.TimeoutException}.
     * Its callbacks run on the caller's Vert.x context when it has one.
     */
    public Future<HttpResponse<Void>> post(String url, Map<String, String> headers, byte[] body, long timeoutMillis) {
        HttpRequest<Void> request = client.postAbs(url)
            .connectTimeout(timeoutMillis)
            .timeout(timeoutMillis)
            .as(BodyCodec.none());
        headers.forEach(request::putHeader);
        return request.sendBuffer(Buffer.buffer(body));
    }
}
