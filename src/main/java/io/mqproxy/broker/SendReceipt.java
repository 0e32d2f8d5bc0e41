package io.mqproxy.broker;

/** What the broker said after storing a message; the shape is the contract's produce result. */
public record SendReceipt(String sendStatus, String msgId, String offsetMsgId, QueueRef messageQueue,
                         long queueOffset, String regionId, boolean traceOn) {

    public record QueueRef(String topic, String brokerName, int queueId) {
    }
}
