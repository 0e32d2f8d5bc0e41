package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqproxy.error.Errors;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The admin port's JSON bodies, read within bounds before any tree is built: at most {@value #MAX_KEYS} keys
 * in an object, {@value #MAX_DEPTH} levels deep, {@value #MAX_TOKENS} tokens in all, and no key twice in one
 * object. A body of 300,000 unknown keys took seconds of a shared event loop to become a tree and a map that
 * the route then refused on its first key; now the scan stops at the 65th. A key given twice is refused
 * rather than letting the last one win (which of two values an operator meant is not the proxy's guess).
 *
 * <p>Only the control plane's bodies: the data plane reads its JSON as the contract says ({@link Json}).
 */
final class AdminJson {
    /** More than any admin route has fields (a group's registration has 15). */
    static final int MAX_KEYS = 64;
    /** Admin bodies are flat objects with lists of names: 2 levels; 8 leaves room and refuses 100. */
    static final int MAX_DEPTH = 8;
    /** Bounds a long list (a redrive's messageIds): scanning this many tokens takes milliseconds. */
    static final long MAX_TOKENS = 200_000;

    private static final StreamReadConstraints BOUNDS = StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
        .maxTokenCount(MAX_TOKENS).build();
    /** The scan finds a duplicate key itself, to name it as a parameter. */
    private static final JsonFactory SCANNER = JsonFactory.builder().streamReadConstraints(BOUNDS).build();
    /** The same bounds and Jackson's own duplicate detection again, should the scan and the tree ever differ. */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(BOUNDS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();

    private AdminJson() {
    }

    /**
     * The body as a tree, once it is known to be within bounds; a body out of them is a 400 naming the key or
     * the rule. Malformed JSON is an {@link IOException}, as from {@link Json#readTree}.
     */
    static JsonNode readTree(Buffer body) throws IOException {
        ByteBuf bytes = body.getByteBuf();
        byte[] array = bytes.hasArray() ? bytes.array() : body.getBytes();
        int offset = bytes.hasArray() ? bytes.arrayOffset() + bytes.readerIndex() : 0;
        int length = bytes.hasArray() ? bytes.readableBytes() : array.length;
        scan(array, offset, length);
        return MAPPER.readTree(array, offset, length);
    }

    /** Walks the tokens once, without building anything, and refuses at the first key or level too many. */
    private static void scan(byte[] array, int offset, int length) throws IOException {
        // The keys seen in each object open, innermost first; null for an array.
        Deque<Set<String>> open = new ArrayDeque<>();
        try (JsonParser parser = SCANNER.createParser(array, offset, length)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                switch (token) {
                    case START_OBJECT -> open.push(new HashSet<>());
                    case START_ARRAY -> open.push(Set.of());
                    case END_OBJECT, END_ARRAY -> open.pop();
                    case FIELD_NAME -> {
                        Set<String> keys = open.peek();
                        String name = parser.currentName();
                        if (!keys.add(name)) {
                            throw Errors.badParam(shorten(name), "is given twice: give each field once");
                        }
                        if (keys.size() > MAX_KEYS) {
                            throw Errors.badParam("request body", "an object has more than " + MAX_KEYS + " keys");
                        }
                    }
                    default -> {
                        // a value: nothing to count
                    }
                }
            }
        } catch (StreamConstraintsException e) {
            throw Errors.badParam("request body", open.size() >= MAX_DEPTH
                ? "nested too deep: at most " + MAX_DEPTH + " levels of objects and arrays"
                : "beyond the bounds of an admin body: " + e.getOriginalMessage());
        }
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
