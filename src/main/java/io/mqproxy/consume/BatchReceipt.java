package io.mqproxy.consume;

import io.mqproxy.broker.ReceiptHandle;
import java.util.List;

/**
 * Everything needed to ack one delivered batch, as carried by a requestId.
 *
 * @param clientId the broadcast client the batch went to, or null in clustering mode
 */
public record BatchReceipt(String consumer, String topic, String clientId, List<ReceiptHandle> handles) {

    /** The earliest broker time at which a message of the batch becomes deliverable again. */
    public long expiresAt() {
        return handles.stream().mapToLong(ReceiptHandle::expiresAt).min().orElse(Long.MAX_VALUE);
    }
}
