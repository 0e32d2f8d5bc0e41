package io.mqproxy.consume;

import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.message.MessageText;
import io.mqproxy.metrics.ProxyMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * What a poll's popped messages become for their client: the messages as a client sees them, split into
 * fresh and retried, and the signed requestId (one for the batch; for push, one per message too) that
 * settles them through any instance.
 */
final class PollResults {
    private final RequestIdCodec requestIds;
    private final ProxyMetrics metrics;

    PollResults(RequestIdCodec requestIds, ProxyMetrics metrics) {
        this.requestIds = requestIds;
        this.metrics = metrics;
    }

    /** A popped message as its client sees it. */
    private static DeliveredMessage delivered(PoppedMessage m) {
        MessageText body = MessageText.of(m.body());
        return new DeliveredMessage(m.messageId(), body, body.encoding(), m.bornTimestamp(), m.keys(), m.tags(),
            m.properties().isEmpty() ? null : m.properties(), m.reconsumeTimes() + 1);
    }

    Polled result(Poll poll, List<PoppedMessage> messages, String previousAck) {
        List<DeliveredMessage> fresh = new ArrayList<>();
        List<DeliveredMessage> retried = new ArrayList<>();
        for (PoppedMessage m : messages) {
            (m.reconsumeTimes() > 0 ? retried : fresh).add(delivered(m));
        }
        if (messages.isEmpty()) {
            return Polled.none(PollResult.NO_NEW_MSG, previousAck);
        }
        metrics.delivered(poll.group().name(), fresh.size(), retried.size());
        BatchReceipt batch = batch(poll, messages);
        return new Polled(PollResult.FOUND, requestIds.encode(batch), fresh, retried, previousAck,
            poll.consumeTimeoutSeconds(), batch);
    }

    private static BatchReceipt batch(Poll poll, List<PoppedMessage> messages) {
        return new BatchReceipt(poll.group().name(), poll.group().topic(), poll.clientId(),
            messages.stream().map(PoppedMessage::handle).toList());
    }

    Deliveries each(Poll poll, List<PoppedMessage> messages) {
        if (messages.isEmpty()) {
            return Deliveries.none(PollResult.NO_NEW_MSG);
        }
        List<Delivery> each = new ArrayList<>(messages.size());
        int retried = 0;
        for (PoppedMessage m : messages) {
            retried += m.reconsumeTimes() > 0 ? 1 : 0;
            BatchReceipt alone = batch(poll, List.of(m));
            each.add(new Delivery(delivered(m), requestIds.encode(alone), alone));
        }
        metrics.delivered(poll.group().name(), messages.size() - retried, retried);
        BatchReceipt batch = each.size() == 1 ? each.get(0).receipt() : batch(poll, messages);
        String token = each.size() == 1 ? each.get(0).token() : requestIds.encode(batch);
        return new Deliveries(PollResult.FOUND, token, List.copyOf(each), poll.consumeTimeoutSeconds(), batch);
    }
}
