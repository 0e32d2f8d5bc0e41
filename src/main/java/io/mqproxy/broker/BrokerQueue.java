package io.mqproxy.broker;

/** One queue of a topic, on the broker that holds it. */
public record BrokerQueue(String brokerName, int queueId) {
}
