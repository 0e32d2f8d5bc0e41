package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.GroupChange;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A group's {@code filter} in a control-plane body: {@code {"type":"TAG","expression":"paid || refunded"}} sets
 * it, {@code null} clears it, and leaving it out changes nothing. (In a form, its value is that JSON as text.)
 * Its shape is checked here, naming {@code filter.type}; whether the expression parses is the control
 * service's to check, naming {@code filter.expression}.
 */
final class FilterParam {
    static final String NAME = "filter";
    private static final Set<String> FIELDS = Set.of("type", "expression");

    private FilterParam() {
    }

    /** The change the request asks of the group's filter: none when the field is absent. */
    static GroupChange change(RequestParams p) {
        JsonNode node = p.jsonValue(NAME);
        if (node == null) {
            String text = p.optional(NAME);
            if (text == null) {
                return GroupChange.NOTHING;
            }
            node = parse(text);
        } else if (node.isTextual()) {
            node = parse(node.textValue());
        }
        if (node.isNull()) {
            return GroupChange.clearFilter();
        }
        if (!node.isObject()) {
            throw Errors.badParam(NAME, "must be a JSON object {\"type\": \"TAG\" or \"SQL92\", \"expression\": "
                + "\"...\"}, or null to clear it");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw Errors.badParam(NAME + "." + name, "unknown field; known: [expression, type]");
            }
        }
        JsonNode expression = node.path("expression");
        if (!expression.isMissingNode() && !expression.isNull() && !expression.isTextual()) {
            throw Errors.badParam(NAME + ".expression", "must be a string");
        }
        return GroupChange.filter(new SubscriptionFilter(type(node.path("type")),
            expression.isTextual() ? expression.textValue() : null));
    }

    private static SubscriptionFilter.Type type(JsonNode type) {
        if (!type.isTextual()) {
            throw Errors.badParam(NAME + ".type", "is required: TAG or SQL92");
        }
        try {
            return SubscriptionFilter.Type.valueOf(type.textValue().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Errors.badParam(NAME + ".type", "must be TAG or SQL92, got '" + shorten(type.textValue()) + "'");
        }
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw Errors.badParam(NAME, "must be a JSON object {type, expression}, or null: " + e.getOriginalMessage());
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
