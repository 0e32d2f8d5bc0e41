package io.mqproxy.broker;

import io.mqproxy.log.TraceIds;
import org.apache.rocketmq.client.consumer.AckCallback;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.PopCallback;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;

/**
 * The RocketMQ client answers on its own threads: a callback given to it here runs with the logging trace id that
 * was current where it was handed over ({@link TraceIds}), so what it completes, and the log lines of what follows
 * on that thread, carry the request's id. Without an id the callback itself is handed on (no allocation).
 */
final class TraceIdCallbacks {
    private TraceIdCallbacks() {
    }

    static SendCallback carry(SendCallback callback) {
        String id = TraceIds.current();
        return id == null ? callback : new SendCallback() {
            @Override
            public void onSuccess(SendResult result) {
                as(id, () -> callback.onSuccess(result));
            }

            @Override
            public void onException(Throwable e) {
                as(id, () -> callback.onException(e));
            }
        };
    }

    static PopCallback carry(PopCallback callback) {
        String id = TraceIds.current();
        return id == null ? callback : new PopCallback() {
            @Override
            public void onSuccess(PopResult result) {
                as(id, () -> callback.onSuccess(result));
            }

            @Override
            public void onException(Throwable e) {
                as(id, () -> callback.onException(e));
            }
        };
    }

    static AckCallback carry(AckCallback callback) {
        String id = TraceIds.current();
        return id == null ? callback : new AckCallback() {
            @Override
            public void onSuccess(AckResult result) {
                as(id, () -> callback.onSuccess(result));
            }

            @Override
            public void onException(Throwable e) {
                as(id, () -> callback.onException(e));
            }
        };
    }

    /** RocketMQ's three callback types share no parent: each method runs its call through this one scope. */
    private static void as(String id, Runnable call) {
        try (TraceIds.Scope ignored = TraceIds.as(id)) {
            call.run();
        }
    }
}
