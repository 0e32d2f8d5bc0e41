package io.mqproxy.consume;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;

/**
 * A consume request checked against its group (names, mode, broadcast clientId, timeouts, the group's caps)
 * and the operator's policy for it (pause, rate limit): what a poll, ack or release may do, before any
 * permit or broker call. Bad input is a {@link io.mqproxy.error.ProxyError} naming the parameter.
 */
final class PollPlanner {
    private final Registry registry;
    private final RequestIdCodec requestIds;
    private final RateLimits rateLimits;

    PollPlanner(Registry registry, RequestIdCodec requestIds, RateLimits rateLimits) {
        this.registry = registry;
        this.requestIds = requestIds;
        this.rateLimits = rateLimits;
    }

    /** A group's rate limit changed or the group is gone: its rate starts afresh. */
    void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
        String name = before != null ? before.name() : after.name();
        if (after == null || after.rateLimit() != (before == null ? 0 : before.rateLimit())) {
            rateLimits.forget(name);
        }
    }

    /** Messages the group's policy lets this poll take now: 0 when it is paused or over its rate. */
    int allowance(Poll poll) {
        return poll.group().paused() ? 0 : rateLimits.allowance(poll.group(), poll.maxMessages());
    }

    /** What a poll with no allowance answers. */
    static String refusal(Poll poll) {
        return poll.group().paused() ? PollResult.PAUSED : PollResult.RATE_LIMITED;
    }

    /** Messages handed to a client count against its group's rate. */
    void delivered(Poll poll, int messages) {
        rateLimits.delivered(poll.group(), messages);
    }

    /** Whether the poll's group is now paused or gone. */
    boolean halted(Poll poll) {
        return registry.consumer(poll.group().name()).map(ConsumerGroup::paused).orElse(true);
    }

    /**
     * @param receipt the batch the request acknowledges, if any: it supplies a broadcast clientId that
     *                the request leaves out, as the original's client does when it acks
     */
    Poll plan(PollRequest r, BatchReceipt receipt) {
        String consumer = name("consumer", r.consumer(), ResourceNames.MAX_GROUP_LENGTH);
        String topic = name("topic", r.topic(), ResourceNames.MAX_TOPIC_LENGTH);
        ConsumerGroup group = registry.consumer(consumer).orElseThrow(() -> Errors.badParam("consumer",
            "unknown consumer '" + consumer + "': it must be registered with its topic"));
        if (!group.topic().equals(topic)) {
            throw Errors.badParam("topic", "consumer '" + consumer + "' consumes topic '" + group.topic()
                + "', not '" + topic + "'");
        }
        if (r.pop() != null && r.pop() != group.pop()) {
            throw Errors.badParam("pop", "consumer '" + consumer + "' is " + (group.pop()
                ? "concurrent (pop=true)" : "queue-held, in order (pop=false)")
                + "; the mode is the group's, set by the operator");
        }
        String clientId = null;
        if (group.broadcast()) {
            clientId = r.clientId() != null && !r.clientId().isEmpty() ? r.clientId()
                : receipt != null ? receipt.clientId() : null;
            if (clientId == null || clientId.isEmpty()) {
                throw Errors.badParam("clientId", "is required: consumer '" + consumer + "' is a broadcast consumer");
            }
            if (clientId.length() > 256) {
                throw Errors.badParam("clientId", "at most 256 characters, got " + clientId.length());
            }
        }
        ProxyConfig.GroupSettings settings = group.settings();
        int timeout = r.consumeTimeoutSeconds() != null ? r.consumeTimeoutSeconds() : settings.consumeTimeoutSeconds();
        if (timeout < settings.minConsumeTimeoutSeconds()) {
            throw Errors.badParam("consumeTimeout", "must be " + settings.minConsumeTimeoutSeconds() + ".."
                + ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS + " seconds, got "
                + timeout);
        }
        if (receipt != null && (!receipt.consumer().equals(consumer) || !receipt.topic().equals(topic)
            || !java.util.Objects.equals(receipt.clientId(), clientId))) {
            throw Errors.badParam("requestId", "was issued to consumer '" + receipt.consumer() + "' on topic '"
                + receipt.topic() + "'" + (receipt.clientId() != null ? " for clientId '" + receipt.clientId() + "'" : "")
                + ", not to this one");
        }
        // The registry's own name, not the request's copy: a waiting poll then holds no string of its request.
        return new Poll(group, BrokerGroups.forClient(group.name(), clientId), clientId,
            r.maxPullSize() != null ? r.maxPullSize() : settings.maxPullSize(),
            // Past the group's cap a client gets the cap, and is told so in the result: in a queue-held group
            // a forgotten batch blocks its queue for as long as it is reserved.
            Math.min(timeout, group.consumeTimeoutCap()),
            r.pullTimeoutSeconds() != null ? r.pullTimeoutSeconds() : settings.pullTimeoutSeconds(),
            r.clientGone() != null ? r.clientGone() : () -> false);
    }

    private static String name(String param, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw Errors.missing(param);
        }
        String broken = ResourceNames.check(value, max);
        if (broken != null) {
            throw Errors.badParam(param, broken);
        }
        return value;
    }

    /** The batch the request's requestId names, or null when it names none. */
    BatchReceipt decode(PollRequest r) {
        return r.requestId() == null || r.requestId().isEmpty() ? null : requestIds.decode(r.requestId());
    }

    static void required(BatchReceipt receipt) {
        if (receipt == null) {
            throw Errors.missing("requestId");
        }
    }
}
