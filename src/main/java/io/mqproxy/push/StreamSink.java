package io.mqproxy.push;

import java.util.concurrent.CompletableFuture;

/** Where an {@link EventStream} writes: the HTTP response, seen as text with back-pressure. */
public interface StreamSink {
    /** Completes when the text was handed to the connection; fails when the connection is closed. */
    CompletableFuture<Void> write(String text);

    /** Whether the connection's write queue is full: the stream waits for {@link #onDrain} before fetching more. */
    boolean full();

    /** Runs {@code then} once the write queue has room again. */
    void onDrain(Runnable then);

    /** Ends the response (the proxy is stopping, or the group went away). */
    void end();
}
