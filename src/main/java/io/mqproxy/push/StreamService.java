package io.mqproxy.push;

import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.consume.ConsumeService;
import io.mqproxy.consume.Deliveries;
import io.mqproxy.consume.PollRequest;
import io.mqproxy.consume.PollResult;
import io.mqproxy.error.Errors;
import io.mqproxy.tracing.Tracing;
import io.vertx.core.Context;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-sent event streams (issue 12), free of HTTP: opens them (at most {@code stream.maxStreams} at
 * once), tells each of its messages the client acked through this instance, and ends them all when the
 * proxy stops. Everything a stream delivers stays reserved in the broker until acked, so a stream lost
 * with its instance loses nothing: its messages come back after their consumeTimeout.
 */
public final class StreamService implements AutoCloseable {
    private final ConsumeService consume;
    private final ProxyConfig.Stream config;
    private final PushMetrics metrics;
    private final Clock clock;
    private final Tracing tracing;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    /** Which stream wrote each unacked message: at most maxStreams x maxUnacked entries. */
    private final ConcurrentHashMap<ReceiptHandle, EventStream> owners = new ConcurrentHashMap<>();

    /**
     * @param clock   the proxy's clock: a delivery's reservation ends by it, as the consume service's batches do
     * @param tracing a span per batch of events written ({@link Tracing#OFF}: none)
     */
    public StreamService(ConsumeService consume, ProxyConfig.Stream config, PushMetrics metrics, Clock clock,
                         Tracing tracing) {
        this.clock = clock;
        this.tracing = tracing;
        this.consume = consume;
        this.config = config;
        this.metrics = metrics;
        metrics.streams(open::get);
        consume.onSettled(receipt -> receipt.handles().forEach(h -> {
            EventStream owner = owners.remove(h);
            if (owner != null) {
                owner.settled(h);
            }
        }));
    }

    /** The most unacked messages a stream may ask for. */
    public int maxUnacked() {
        return config.maxUnacked();
    }

    /**
     * Checks the request against its group by popping once without waiting, and takes a stream's place;
     * fails (nothing taken) with the error to answer instead of a stream. A paused group is an error: the
     * client learns it at once instead of holding an idle stream.
     */
    public CompletableFuture<Deliveries> begin(StreamRequest r) {
        if (open.incrementAndGet() > config.maxStreams()) {
            open.decrementAndGet();
            return CompletableFuture.failedFuture(Errors.overloaded("event streams", config.maxStreams()));
        }
        return consume.pollEach(new PollRequest(r.consumer(), r.topic(), null, null, r.clientId(),
                Math.min(unackedBound(r), 32), r.consumeTimeoutSeconds(), 0, () -> false))
            .thenApply(first -> {
                if (PollResult.PAUSED.equals(first.status())) {
                    throw Errors.badParam("consumer", "'" + r.consumer() + "' is paused by the operator: a stream "
                        + "opens again once it is resumed");
                }
                return first;
            })
            .whenComplete((first, failure) -> {
                if (failure != null) {
                    open.decrementAndGet();
                }
            });
    }

    /** The client left before its stream could start: its place and what was popped for it go back. */
    public void abandon(Deliveries first) {
        open.decrementAndGet();
        consume.returnUndelivered(first);
    }

    /**
     * Starts the stream {@link #begin} made room for, on the connection's context.
     *
     * @return what the HTTP side calls {@code close} on when the connection closes
     */
    public Runnable start(StreamRequest r, Deliveries first, StreamSink sink, Context context) {
        EventStream stream = new EventStream(this, consume, r, unackedBound(r), sink, context, clock,
            tracing);
        streams.add(stream);
        stream.start(first, config.heartbeatSeconds() * 1000L);
        return stream::close;
    }

    private int unackedBound(StreamRequest r) {
        return r.maxUnacked() == null ? config.maxUnacked() : Math.min(r.maxUnacked(), config.maxUnacked());
    }

    void own(ReceiptHandle handle, EventStream stream) {
        owners.put(handle, stream);
    }

    void disown(ReceiptHandle handle) {
        owners.remove(handle);
    }

    void streamed(String consumer, int events) {
        metrics.streamed(consumer, events);
    }

    void closed(EventStream stream) {
        if (streams.remove(stream)) {
            open.decrementAndGet();
        }
    }

    /** Streams open now. */
    public int open() {
        return open.get();
    }

    /** The proxy is stopping: every stream ends, and gives back what its client has not acked. */
    @Override
    public void close() {
        streams.forEach(EventStream::end);
    }
}
