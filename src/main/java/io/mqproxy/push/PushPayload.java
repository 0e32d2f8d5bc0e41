package io.mqproxy.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqproxy.consume.DeliveredMessage;
import io.mqproxy.consume.Delivery;
import java.util.List;

/**
 * The JSON body of one push: always the same shape, whatever the batch size, so a receiver has one
 * parser: {@code {"consumer", "topic", "clientId"?, "messages": [ {messageId, message, timestamp, keys,
 * tags, properties, encoding, deliveryCount}, ... ]}}; each message with the fields of
 * {@code /mq/message}.
 */
final class PushPayload {
    static final ObjectMapper JSON = JsonMapper.builder()
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(String consumer, String topic, String clientId, List<DeliveredMessage> messages) {
    }

    private PushPayload() {
    }

    static byte[] of(String consumer, String topic, String clientId, List<Delivery> batch) {
        try {
            return JSON.writeValueAsBytes(new Body(consumer, topic, clientId,
                batch.stream().map(Delivery::message).toList()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("push body not serializable", e);
        }
    }
}
