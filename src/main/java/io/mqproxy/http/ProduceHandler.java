package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.error.Status;
import io.mqproxy.produce.BatchOutcome;
import io.mqproxy.produce.BatchProduceRequest;
import io.mqproxy.produce.ProduceRequest;
import io.mqproxy.produce.ProduceService;
import io.mqproxy.tracing.TraceSpan;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code POST /mq/produce} and {@code POST /mq/produce/batch}: parameters in, envelope out. */
final class ProduceHandler {
    static final String PRODUCE = "/mq/produce";
    static final String BATCH = "/mq/produce/batch";
    private static final long MAX_TIMESTAMP = 253_402_300_799_999L; // 9999-12-31

    private final ProduceService service;
    private final Responder responder;

    private final DataAccess access;

    ProduceHandler(ProduceService service, Responder responder, DataAccess access) {
        this.service = service;
        this.responder = responder;
        this.access = access;
    }

    void mount(Router router) {
        router.post(PRODUCE).handler(this::produce);
        router.post(BATCH).handler(this::produceBatch);
    }

    private void produce(RoutingContext ctx) {
        ProduceRequest request;
        try {
            RequestParams p = RequestParams.of(ctx);
            access.requireProducer(ctx, p.required("producer"));
            request = new ProduceRequest(p.required("producer"), p.string("message"), p.optional("keys"),
                p.optional("tags"), p.optional("orderId"), p.integer("delayLevel", 1, 18),
                p.longValue("deliveryTimestamp", 0, MAX_TIMESTAMP, "epoch milliseconds"), p.bool("roundRobin", false),
                ClientAddress.of(ctx, p),
                TraceContext.addTo(PropertiesParam.single(p), TraceContext.of(ctx)));
        } catch (ProxyError e) {
            responder.fail(ctx, PRODUCE, e);
            return;
        }
        traced(ctx, request.producer(), null);
        responder.answer(ctx, PRODUCE, service.produce(request), Envelope::ok);
    }

    private void produceBatch(RoutingContext ctx) {
        BatchProduceRequest request;
        try {
            RequestParams p = RequestParams.of(ctx);
            access.requireProducer(ctx, p.required("producer"));
            List<String> messages = messages(p);
            request = new BatchProduceRequest(p.required("producer"), messages, p.optional("tags"),
                p.optional("orderId"), ClientAddress.of(ctx, p), withTrace(PropertiesParam.perMessage(p, messages.size()),
                TraceContext.of(ctx), messages.size()));
        } catch (ProxyError e) {
            responder.fail(ctx, BATCH, e);
            return;
        }
        traced(ctx, request.producer(), request.messages().size());
        responder.answer(ctx, BATCH, service.produceBatch(request), ProduceHandler::batchEnvelope);
    }

    /** The request's span, when tracing is on, learns its topic and (batch) message count. */
    private void traced(RoutingContext ctx, String producer, Integer messages) {
        TraceSpan span = RequestTracing.span(ctx);
        if (span != TraceSpan.NONE) {
            span.destination(service.topicOf(producer));
            if (messages != null) {
                span.messageCount(messages);
            }
        }
    }

    /** {@code messages} is a JSON array: inside a JSON body, or as the text of a form or query field. */
    private static List<String> messages(RequestParams p) {
        JsonNode array = p.jsonValue("messages");
        if (array == null || array.isTextual()) {
            String text = array == null ? p.optional("messages") : array.textValue();
            if (text == null || text.isBlank()) {
                throw Errors.missing("messages");
            }
            try {
                array = Json.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                throw Errors.badParam("messages", "must be a JSON array: " + e.getOriginalMessage());
            }
        }
        if (array == null || !array.isArray()) {
            throw Errors.badParam("messages", "must be a JSON array of messages");
        }
        List<String> messages = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            messages.add(element.isNull() ? null : element.isTextual() ? element.textValue() : element.toString());
        }
        return messages;
    }

    private static List<Map<String, String>> withTrace(List<Map<String, String>> properties,
                                                       Map<String, String> trace, int messages) {
        // A length mismatch is left for production to refuse with its own message.
        if (trace.isEmpty() || properties != null && properties.size() != messages) {
            return properties;
        }
        List<Map<String, String>> out = new ArrayList<>(messages);
        for (int i = 0; i < messages; i++) {
            out.add(TraceContext.addTo(properties == null ? null : properties.get(i), trace));
        }
        return out;
    }

    private static Envelope batchEnvelope(BatchOutcome outcome) {
        if (outcome.allSent()) {
            return new Envelope(200, null, null);
        }
        if (outcome.noneSent()) {
            ProxyError first = outcome.failures().get(0);
            boolean sameStatus = outcome.failures().stream().allMatch(f -> f.status() == first.status());
            int status = sameStatus ? first.status() : 500;
            // 300 means the broker may have stored them: do not say that nothing was sent.
            String summary = status == Status.UNKNOWN ? "no message was confirmed stored: " : "no message was sent: ";
            return new Envelope(status, summary + first.getMessage(), null);
        }
        List<Map<String, Object>> results = new ArrayList<>(outcome.failures().size());
        for (ProxyError f : outcome.failures()) {
            results.add(f == null ? Map.of("status", 200) : Map.of("status", f.status(), "message", f.getMessage()));
        }
        return new Envelope(500, "some messages failed to send", results);
    }
}
