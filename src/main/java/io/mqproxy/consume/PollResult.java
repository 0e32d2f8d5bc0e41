package io.mqproxy.consume;

import java.util.List;

/**
 * The contract's consume result. {@code previousAck} (extension) says what became of the batch
 * named by the request's requestId: {@code OK}, or {@code EXPIRED} when it came after
 * consumeTimeout (its messages may have been delivered again).
 */
public record PollResult(String status, String requestId, List<DeliveredMessage> msgList, int msgListSize,
                         List<DeliveredMessage> retryMsgList, int retryMsgListSize, String previousAck) {

    public static final String FOUND = "FOUND";
    public static final String NO_NEW_MSG = "NO_NEW_MSG";
    public static final String PAUSED = "PAUSED";

    static PollResult of(String status, String requestId, List<DeliveredMessage> fresh,
                         List<DeliveredMessage> retried, String previousAck) {
        return new PollResult(status, requestId, fresh, fresh.size(), retried, retried.size(), previousAck);
    }
}
