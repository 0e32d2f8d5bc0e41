package io.mqproxy.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A collector on the loopback that takes OTLP/HTTP trace exports ({@code POST /v1/traces}, protobuf) and keeps
 * the spans. Decoded with protobuf-java's generic {@link UnknownFieldSet} by the field numbers of
 * {@code opentelemetry/proto/trace/v1/trace.proto}: the generated {@code opentelemetry-proto} classes need a
 * newer protobuf-java than the one RocketMQ puts on the class path (3.20).
 */
public final class OtlpReceiver implements AutoCloseable {
    /** SpanKind values of the protocol. */
    public static final int SERVER = 2;
    public static final int CLIENT = 3;
    /** Status.StatusCode ERROR. */
    public static final int ERROR = 2;

    /**
     * One exported span; ids in lower-case hex, attribute values as String, Long, Boolean or Double; its links
     * in the order the span added them.
     */
    public record ExportedSpan(String traceId, String spanId, String parentSpanId, String name, int kind,
                               Map<String, Object> attributes, int statusCode, Map<String, Object> resource,
                               List<Link> links) {
        public Object attribute(String key) {
            return attributes.get(key);
        }
    }

    /** A span link: the linked span's trace id and span id (lower-case hex). */
    public record Link(String traceId, String spanId) {
    }

    private final HttpServer server;
    private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                spans.addAll(decode(in.readAllBytes()));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    public List<ExportedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** ExportTraceServiceRequest: resource_spans = 1 (ResourceSpans: resource = 1, scope_spans = 2). */
    static List<ExportedSpan> decode(byte[] request) {
        List<ExportedSpan> out = new CopyOnWriteArrayList<>();
        for (ByteString resourceSpans : fields(parse(ByteString.copyFrom(request)), 1)) {
            UnknownFieldSet rs = parse(resourceSpans);
            Map<String, Object> resource = new LinkedHashMap<>();
            for (ByteString r : fields(rs, 1)) {
                attributes(parse(r), 1, resource);
            }
            // ScopeSpans: scope = 1, spans = 2.
            for (ByteString scopeSpans : fields(rs, 2)) {
                for (ByteString span : fields(parse(scopeSpans), 2)) {
                    out.add(span(parse(span), resource));
                }
            }
        }
        return out;
    }

    /**
     * Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6, attributes = 9 (KeyValue),
     * links = 13 (Span.Link: trace_id = 1, span_id = 2), status = 15 (Status: code = 3).
     */
    private static ExportedSpan span(UnknownFieldSet s, Map<String, Object> resource) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes(s, 9, attributes);
        List<Link> links = new ArrayList<>();
        for (ByteString link : fields(s, 13)) {
            UnknownFieldSet l = parse(link);
            links.add(new Link(hex(l, 1), hex(l, 2)));
        }
        int status = 0;
        for (ByteString st : fields(s, 15)) {
            List<Long> code = parse(st).getField(3).getVarintList();
            status = code.isEmpty() ? 0 : code.get(0).intValue();
        }
        return new ExportedSpan(hex(s, 1), hex(s, 2), hex(s, 4), text(s, 5),
            s.getField(6).getVarintList().isEmpty() ? 0 : s.getField(6).getVarintList().get(0).intValue(),
            attributes, status, resource, List.copyOf(links));
    }

    /** KeyValue: key = 1, value = 2 (AnyValue: string = 1, bool = 2, int = 3, double = 4). */
    private static void attributes(UnknownFieldSet message, int field, Map<String, Object> into) {
        for (ByteString kv : fields(message, field)) {
            UnknownFieldSet pair = parse(kv);
            UnknownFieldSet value = fields(pair, 2).isEmpty() ? UnknownFieldSet.getDefaultInstance()
                : parse(fields(pair, 2).get(0));
            Object v = null;
            if (!value.getField(1).getLengthDelimitedList().isEmpty()) {
                v = value.getField(1).getLengthDelimitedList().get(0).toStringUtf8();
            } else if (!value.getField(2).getVarintList().isEmpty()) {
                v = value.getField(2).getVarintList().get(0) != 0;
            } else if (!value.getField(3).getVarintList().isEmpty()) {
                v = value.getField(3).getVarintList().get(0);
            } else if (!value.getField(4).getFixed64List().isEmpty()) {
                v = Double.longBitsToDouble(value.getField(4).getFixed64List().get(0));
            }
            into.put(text(pair, 1), v);
        }
    }

    private static List<ByteString> fields(UnknownFieldSet message, int number) {
        return message.hasField(number) ? message.getField(number).getLengthDelimitedList() : List.of();
    }

    private static String text(UnknownFieldSet message, int number) {
        List<ByteString> values = fields(message, number);
        return values.isEmpty() ? "" : values.get(0).toStringUtf8();
    }

    private static String hex(UnknownFieldSet message, int number) {
        List<ByteString> values = fields(message, number);
        return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
    }

    private static UnknownFieldSet parse(ByteString bytes) {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an OTLP trace export: " + e.getMessage(), e);
        }
    }
}
