package io.mqproxy.consume;

import java.util.List;

/**
 * The contract's consume result, as written on the wire (the service's is {@link Polled}). {@code previousAck} (extension) says what became of the batch
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
}
