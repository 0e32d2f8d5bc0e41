package io.mqproxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's parameters, whichever way they came: query string, form body or JSON object body all
 * mean the same (CONTRACT.md). Typed getters refuse bad values with a {@code 400} naming the
 * parameter and the rule.
 *
 * <p>The admin port's JSON bodies ({@link #admin}) are also bounded ({@link AdminJson}) and typed: a number
 * is a JSON number (not {@code "5"}), a list a JSON array of strings, a single value never an array or an
 * object. Form and query parameters are text, as the original contract's clients send them.
 */
final class RequestParams {
    /** What Vert.x and Netty decode at most; the rest of a longer query is ignored, as there. */
    private static final int MAX_QUERY_PARAMS = 1024;
    private final MultiMap form;
    private final Map<String, JsonNode> json;
    /** An admin body: JSON values must have the type of their parameter. */
    private final boolean typed;

    private RequestParams(MultiMap form, Map<String, JsonNode> json, boolean typed) {
        this.form = form;
        this.json = json;
        this.typed = typed;
    }

    /** Query and form parameters, then a JSON object body's fields. */
    static RequestParams of(RoutingContext ctx) {
        return of(ctx, false);
    }

    /** As {@link #of}, for the control plane: a JSON body is bounded and typed. */
    static RequestParams admin(RoutingContext ctx) {
        return of(ctx, true);
    }

    private static RequestParams of(RoutingContext ctx, boolean admin) {
        Map<String, JsonNode> json = Map.of();
        String type = ctx.request().getHeader("Content-Type");
        Buffer raw = BoundedBody.of(ctx);
        if (type != null && type.toLowerCase().startsWith("application/json") && raw.length() > 0) {
            JsonNode body;
            try {
                body = admin ? AdminJson.readTree(raw) : Json.readTree(raw);
            } catch (JsonProcessingException e) {
                throw Errors.badParam("request body", "malformed JSON: " + e.getOriginalMessage());
            } catch (java.io.IOException e) {
                throw Errors.badParam("request body", "unreadable: " + e.getMessage());
            }
            if (body == null || !body.isObject()) {
                throw Errors.badParam("request body", "must be a JSON object of parameters");
            }
            json = new HashMap<>();
            var fields = body.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                json.put(f.getKey(), f.getValue());
            }
        }
        boolean form = type != null && type.toLowerCase().startsWith("application/x-www-form-urlencoded");
        return new RequestParams(form ? queryThenForm(ctx, raw, type) : query(ctx), json, admin);
    }

    /**
     * Refuses a request whose query string cannot be decoded, whatever its route: routes that read no
     * parameters would otherwise answer as if the query were fine.
     */
    static void refuseBrokenQuery(RoutingContext ctx) {
        String query = ctx.request().query();
        // Only a '%' can be broken: most requests, long polls among them, skip the decoding.
        if (query != null && query.indexOf('%') >= 0) {
            try {
                query(ctx);
            } catch (ProxyError e) {
                ctx.fail(e.status(), e);
                return;
            }
        }
        ctx.next();
    }

    /**
     * The query string's parameters, decoded as Vert.x's {@code request().params()} does (names
     * case-insensitive, {@code ;} a separator as well as {@code &}, at most 1024) but not kept on the
     * request: a long poll holds its request for up to a minute, and ten thousand of them would keep
     * ten thousand maps of strings nobody reads again. A broken percent-escape is the client's error,
     * so it becomes a 400 naming the parameter.
     */
    static MultiMap query(RoutingContext ctx) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        String query = ctx.request().query();
        if (query == null || query.isEmpty()) {
            return params;
        }
        try {
            new QueryStringDecoder(query, StandardCharsets.UTF_8, false, MAX_QUERY_PARAMS, false).parameters()
                .forEach(params::add);
        } catch (IllegalArgumentException e) {
            throw Errors.malformedQuery(brokenEscape(query));
        }
        return params;
    }

    /** Which parameter holds the broken escape, so that the client can find it. */
    private static String brokenEscape(String query) {
        for (String pair : query == null ? new String[0] : query.split("[&;]")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            try {
                QueryStringDecoder.decodeComponent(pair);
            } catch (IllegalArgumentException broken) {
                String shown;
                try {
                    shown = "parameter '" + shorten(QueryStringDecoder.decodeComponent(name)) + "'";
                } catch (IllegalArgumentException nameBroken) {
                    shown = "'" + shorten(pair) + "'";
                }
                return shown + " is not valid percent-encoding (a % must be followed by two hex digits)";
            }
        }
        return "not valid percent-encoding (a % must be followed by two hex digits)";
    }

    /**
     * Query parameters, then the form body decoded here, once, from the bytes read: Vert.x's streaming
     * form decoder garbled multi-megabyte percent-encoded (non-ASCII) values and ignores the charset.
     */
    private static MultiMap queryThenForm(RoutingContext ctx, Buffer raw, String contentType) {
        MultiMap params = query(ctx);
        if (raw.length() == 0) {
            return params;
        }
        Charset charset = charsetOf(contentType);
        for (String pair : raw.toString(charset).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                params.add(formDecode(eq < 0 ? pair : pair.substring(0, eq), charset),
                    eq < 0 ? "" : formDecode(pair.substring(eq + 1), charset));
            } catch (IllegalArgumentException e) {
                throw Errors.badParam("request body", "malformed form encoding: " + e.getMessage());
            }
        }
        return params;
    }

    /**
     * URLDecoder copies every character through a StringBuilder even when nothing is encoded; a message body
     * sent as plain ASCII text (the common case) has neither '%' nor '+', and is its own value.
     */
    private static String formDecode(String text, Charset charset) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        return URLDecoder.decode(text, charset);
    }

    private static Charset charsetOf(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.toLowerCase().startsWith("charset=")) {
                try {
                    return Charset.forName(p.substring("charset=".length()).replace("\"", "").trim());
                } catch (IllegalArgumentException e) {
                    throw Errors.badParam("Content-Type", "unknown charset '" + p.substring(8) + "'");
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** Every parameter name given, whichever way: for routes that refuse names they do not know. */
    java.util.Set<String> names() {
        java.util.Set<String> names = new java.util.TreeSet<>(json.keySet());
        names.addAll(form.names());
        return names;
    }

    /** The raw JSON value of a parameter given in a JSON body, or null. */
    JsonNode jsonValue(String name) {
        return json.get(name);
    }

    /**
     * A parameter as text: JSON strings as they are, other JSON values serialized. A value given as
     * an empty string counts as given (the caller decides whether empty is allowed).
     */
    String string(String name) {
        JsonNode node = json.get(name);
        if (node != null && !node.isNull()) {
            if (typed && node.isContainerNode()) {
                throw Errors.badParam(name, "must be a single value, not a JSON " + type(node));
            }
            return node.isTextual() ? node.textValue() : node.toString();
        }
        return form.get(name);
    }

    /**
     * A list of names, or null when absent: a JSON array of strings in a JSON body (an admin body refuses
     * anything else), names separated by commas otherwise.
     */
    java.util.List<String> list(String name) {
        JsonNode node = json.get(name);
        if (node != null && node.isArray()) {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (JsonNode item : node) {
                if (typed && !item.isTextual()) {
                    throw Errors.badParam(name, "must be a JSON array of strings, got an element that is " + type(item));
                }
                out.add(item.asText());
            }
            return out;
        }
        if (typed && node != null && !node.isNull()) {
            throw Errors.badParam(name, "must be a JSON array of strings, not " + type(node));
        }
        String text = optional(name);
        return text == null ? null : java.util.Arrays.stream(text.split(",")).map(String::trim)
            .filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Like {@link #string} but blank counts as absent. A value of nothing but control characters is refused:
     * RocketMQ reads it as blank (it trims them away) and fails the send with an exception, not an answer.
     */
    String optional(String name) {
        String value = string(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.trim().isEmpty()) {
            throw Errors.badParam(name, "must not be only control characters");
        }
        return value;
    }

    String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw Errors.missing(name);
        }
        return value;
    }

    Integer integer(String name, int min, int max) {
        JsonNode node = typedValue(name);
        if (node != null) {
            return (int) number(name, node, min, max, "a whole number");
        }
        String value = optional(name);
        if (value == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw Errors.badParam(name, "must be " + min + ".." + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw Errors.badParam(name, "must be a whole number " + min + ".." + max + ", got '" + shorten(value) + "'");
        }
    }

    Long longValue(String name, long min, long max, String meaning) {
        JsonNode node = typedValue(name);
        if (node != null) {
            return number(name, node, min, max, meaning);
        }
        String value = optional(name);
        if (value == null) {
            return null;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                throw Errors.badParam(name, "must be " + meaning + " " + min + ".." + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw Errors.badParam(name, "must be " + meaning + ", got '" + shorten(value) + "'");
        }
    }

    /** {@code true}/{@code false}/{@code 1}/{@code 0}; absent is {@code fallback}. */
    boolean bool(String name, boolean fallback) {
        Boolean value = bool(name);
        return value == null ? fallback : value;
    }

    /** {@code true}/{@code false}/{@code 1}/{@code 0}, or null when absent. */
    Boolean bool(String name) {
        String value = optional(name);
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw Errors.badParam(name, "must be true, false, 1 or 0, got '" + shorten(value) + "'");
        };
    }

    /** The JSON value of a parameter of an admin body, or null (absent, null, or not a JSON body). */
    private JsonNode typedValue(String name) {
        JsonNode node = typed ? json.get(name) : null;
        return node == null || node.isNull() ? null : node;
    }

    /** A JSON number, whole and in range: "5" (a string), 5.5 and 1e400 are refused, never coerced. */
    private static long number(String name, JsonNode node, long min, long max, String meaning) {
        if (!node.isIntegralNumber()) {
            throw Errors.badParam(name, "must be " + meaning + " " + min + ".." + max + " as a JSON number, got "
                + type(node) + (node.isContainerNode() ? "" : " " + shorten(node.toString())));
        }
        if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            throw Errors.badParam(name, "must be " + min + ".." + max + ", got " + shorten(node.asText()));
        }
        return node.longValue();
    }

    private static String type(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
