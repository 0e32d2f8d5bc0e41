package io.mqproxy.broker;

import io.mqproxy.config.SubscriptionFilter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ObjIntConsumer;

/**
 * What consumption asks of the broker's POP interface, and no more: pop, ack, make visible again, give back
 * undelivered. {@link PopClient} is the real one; the consume rules are unit-tested over a fake. Kept in
 * {@code broker} so that the package graph keeps one direction (consume depends on broker, never back).
 */
public interface Pops {
    /** The broker refuses more than this per pop. */
    int MAX_PER_POP = 32;

    /** See {@link PopClient#pop(String, String, int, long, long, boolean, int, SubscriptionFilter)}. */
    CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                      long pollMillis, boolean orderly, int maxRetries, SubscriptionFilter filter);

    /** See {@link PopClient#pop(String, String, int, long, long, boolean, int, String, BrokerQueue, SubscriptionFilter)}. */
    CompletableFuture<PopOutcome> pop(String group, String topic, int max, long invisibleMillis,
                                      long pollMillis, boolean orderly, int maxRetries, String attemptId,
                                      BrokerQueue queue, SubscriptionFilter filter);

    /** Acks the handles; the broker ignores stale ones silently. */
    CompletableFuture<Void> ack(String group, String topic, List<ReceiptHandle> handles);

    /** Makes the messages visible again after {@code invisibleMillis}, counted as a delivery. */
    CompletableFuture<List<ReceiptHandle>> changeInvisibleTime(String group, String topic, List<ReceiptHandle> handles,
                                                               long invisibleMillis);

    /** Makes messages that reached no client visible again at once, uncounted where the broker allows. */
    CompletableFuture<List<ReceiptHandle>> giveBackUndelivered(String group, String topic, List<ReceiptHandle> handles);

    /** Whom to tell of each message moved to a dead-letter topic, by broker group. */
    void onDeadLettered(ObjIntConsumer<String> listener);

    /** How many messages past their retry limit were left for a later attempt. */
    long deadLettersDeferred();
}
