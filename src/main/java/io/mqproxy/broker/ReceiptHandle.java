package io.mqproxy.broker;

/**
 * What the broker needs to ack one popped message: RocketMQ's POP check-point info ("extra info"),
 * {@code ckQueueOffset popTime invisibleTime reviveQid retry brokerName queueId queueOffset}. It names
 * neither topic nor group; a requestId carries those beside it.
 *
 * @param retry "0" original topic, "1"/"2" the group's retry topic (V1/V2 naming)
 */
public record ReceiptHandle(long ckQueueOffset, long popTime, long invisibleTime, int reviveQid, String retry,
                            String brokerName, int queueId, long queueOffset) {

    public static ReceiptHandle parse(String extraInfo) {
        String[] f = extraInfo.split(" ");
        if (f.length != 8) {
            throw new IllegalArgumentException("receipt handle has " + f.length + " fields, expected 8");
        }
        return new ReceiptHandle(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
            Integer.parseInt(f[3]), f[4], f[5], Integer.parseInt(f[6]), Long.parseLong(f[7]));
    }

    public String extraInfo() {
        return ckQueueOffset + " " + popTime + " " + invisibleTime + " " + reviveQid + " " + retry + " " + brokerName
            + " " + queueId + " " + queueOffset;
    }

    /** Broker time after which the message is delivered again unless acked. */
    public long expiresAt() {
        return popTime + invisibleTime;
    }
}
