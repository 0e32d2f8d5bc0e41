package io.mqproxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import java.nio.charset.StandardCharsets;

/**
 * A producer's JSON Schema (draft 2020-12), compiled once: a body that does not validate is refused before
 * the broker, with the first failing place named. Remote {@code $ref}s are not fetched (the proxy reaches
 * no other network at run time); {@code $defs} inside the schema are.
 */
public final class MessageSchema {
    private static final String BASE = "urn:mq-proxy:schema";

    private final Validator validator;
    private final String text;

    private MessageSchema(Validator validator, String text) {
        this.validator = validator;
        this.text = text;
    }

    /** Compiles {@code schema}; an {@link IllegalArgumentException} says what is wrong with it. */
    public static MessageSchema compile(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("must be a JSON Schema object (draft 2020-12), inline or in a file");
        }
        String text = schema.toString();
        String broken = MetaSchema.violation(new JsonObject(text));
        if (broken != null) {
            throw new IllegalArgumentException("is not a valid JSON Schema (draft 2020-12): " + broken);
        }
        try {
            Validator validator = Validator.create(JsonSchema.of(new JsonObject(text)),
                new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE).setOutputFormat(OutputFormat.Basic));
            validator.validate(null); // compiles the schema now, so a broken one stops start-up, not a send
            return new MessageSchema(validator, text);
        } catch (SchemaException | IllegalArgumentException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("is not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    /** Why {@code body} does not validate ("at /amount: ..."), or null when it does. */
    public String violation(byte[] body) {
        Object instance;
        try {
            instance = Json.decodeValue(new String(body, StandardCharsets.UTF_8));
        } catch (DecodeException e) {
            return "is not JSON, and the producer's schema asks for JSON";
        }
        OutputUnit result = validator.validate(instance);
        if (Boolean.TRUE.equals(result.getValid())) {
            return null;
        }
        return "does not match the producer's schema " + describe(result);
    }

    /** The deepest failure (by place, then by keyword): "Property amount does not match" says less than its cause. */
    static String describe(OutputUnit result) {
        OutputUnit first = result;
        if (result.getErrors() != null) {
            for (OutputUnit e : result.getErrors()) {
                if (first == result || deeper(e, first)) {
                    first = e;
                }
            }
        }
        String at = location(first);
        return "at " + (at.isEmpty() ? "/" : at) + ": " + first.getError();
    }

    private static boolean deeper(OutputUnit a, OutputUnit b) {
        int byInstance = Integer.compare(location(a).length(), location(b).length());
        return byInstance > 0 || byInstance == 0 && length(a.getKeywordLocation()) > length(b.getKeywordLocation());
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static String location(OutputUnit unit) {
        String at = unit.getInstanceLocation();
        return at == null ? "" : at.startsWith("#") ? at.substring(1) : at;
    }

    /** The schema as JSON text, as the control plane shows it. */
    public String text() {
        return text;
    }
}
