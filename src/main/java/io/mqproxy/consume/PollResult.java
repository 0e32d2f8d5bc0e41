package io.mqproxy.consume;

import java.util.List;

/**
 * The contract's consume result. {@code previousAck} (extension) says what became of the batch
 * named by the request's requestId: an {@link AckResult} status. {@code consumeTimeout} (extension)
 * is how many seconds this batch is reserved: what the client asked for, or the group's cap if it
 * asked for more.
 */
public record PollResult(String status, String requestId, List<DeliveredMessage> msgList, int msgListSize,
                         List<DeliveredMessage> retryMsgList, int retryMsgListSize, String previousAck,
                         Integer consumeTimeout) {

    public static final String FOUND = "FOUND";
    public static final String NO_NEW_MSG = "NO_NEW_MSG";
    public static final String PAUSED = "PAUSED";
    public static final String RATE_LIMITED = "RATE_LIMITED";

    static PollResult of(String status, String requestId, List<DeliveredMessage> fresh,
                         List<DeliveredMessage> retried, String previousAck, Integer consumeTimeout) {
        return new PollResult(status, requestId, fresh, fresh.size(), retried, retried.size(), previousAck,
            consumeTimeout);
    }
}
