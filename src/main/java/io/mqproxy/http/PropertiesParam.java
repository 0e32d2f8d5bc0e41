package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.error.Errors;
import io.mqproxy.log.LogSafe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code properties} parameter of production: a JSON object of string values, inside a JSON body or as the
 * text of a form or query field. Only its shape is checked here; names and sizes are production's rules.
 */
final class PropertiesParam {
    static final String NAME = "properties";

    private PropertiesParam() {
    }

    /** One message's properties, or null when not given. */
    static Map<String, String> single(RequestParams p) {
        JsonNode node = node(p);
        return node == null ? null : object(NAME, node);
    }

    /**
     * A batch's: one object for every message, or an array with one object (or null) per message; null when
     * not given.
     */
    static List<Map<String, String>> perMessage(RequestParams p, int messages) {
        JsonNode node = node(p);
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            return Collections.nCopies(messages, object(NAME, node));
        }
        if (!node.isArray()) {
            throw Errors.badParam(NAME, "must be a JSON object of string values (for every message) or an array "
                + "of such objects, one per message");
        }
        List<Map<String, String>> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            out.add(item.isNull() ? null : object(NAME + "[" + i + "]", item));
        }
        return out;
    }

    private static JsonNode node(RequestParams p) {
        JsonNode node = p.jsonValue(NAME);
        String text = node == null ? p.optional(NAME) : node.isTextual() ? node.textValue() : null;
        if (node != null && node.isNull()) {
            return null;
        }
        if (text == null) {
            return node;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw Errors.badParam(NAME, "must be a JSON object of string values: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> object(String param, JsonNode node) {
        if (!node.isObject()) {
            throw Errors.badParam(param, "must be a JSON object of string values, like {\"region\":\"eu\"}");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw Errors.badParam(param + "." + LogSafe.escape(e.getKey()), "must be a string (write \"100\", "
                    + "not 100): properties are text, compared as numbers by SQL92 filters where they look like one");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }
}
