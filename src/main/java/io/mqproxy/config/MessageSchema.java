package io.mqproxy.config;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;

/**
 * A producer's JSON Schema (draft 2020-12), compiled once: a body that does not validate is refused before
 * the broker, with the deepest failing place named. The schema is itself checked against the draft's
 * meta-schema (the library ships it), so {@code "type": 5} stops start-up instead of being ignored at every
 * send. Remote {@code $ref}s are not fetched (the proxy reaches no other network at run time); references
 * inside the schema ({@code #/$defs/...}) are followed.
 */
public final class MessageSchema {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private static final Schema META = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    /** The deepest failure first: "required property missing at /lines/1" says more than its wrappers. */
    private static final Comparator<Error> DEEPEST = Comparator.comparingInt((Error e) -> depth(e)).reversed();

    private final Schema schema;
    private final JsonNode json;
    /** Why the schema cannot be used (then every body is refused), or null. */
    private final String unusable;

    private MessageSchema(Schema schema, JsonNode json, String unusable) {
        this.schema = schema;
        this.json = json;
        this.unusable = unusable;
    }

    /** A schema that could not be compiled: every body is refused, saying why. */
    public static MessageSchema unusable(String why) {
        return new MessageSchema(null, null, why);
    }

    /** Compiles {@code schema}; an {@link IllegalArgumentException} says what is wrong with it. */
    public static MessageSchema compile(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("must be a JSON Schema object (draft 2020-12), inline or in a file");
        }
        List<Error> broken = META.validate(schema);
        if (!broken.isEmpty()) {
            throw new IllegalArgumentException("is not a valid JSON Schema (draft 2020-12): " + describe(broken));
        }
        try {
            Schema compiled = REGISTRY.getSchema(schema);
            compiled.initializeValidators(); // resolves $refs now, so a broken one stops start-up, not a send
            return new MessageSchema(compiled, schema.deepCopy(), null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("is not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    /** Why {@code body} does not validate ("at /amount: ..."), or null when it does. */
    public String violation(byte[] body) {
        if (unusable != null) {
            return "cannot be checked: the producer's schema " + unusable + " (an operator sets it again with PUT "
                + "/admin/producers/{producer}/schema)";
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return "is not JSON, and the producer's schema asks for JSON";
        } catch (IOException e) {
            return "could not be read as JSON: " + e.getMessage();
        }
        if (instance == null || instance.isMissingNode()) {
            return "is not JSON, and the producer's schema asks for JSON";
        }
        List<Error> errors = schema.validate(instance);
        return errors.isEmpty() ? null : "does not match the producer's schema " + describe(errors);
    }

    private static String describe(List<Error> errors) {
        Error first = errors.stream().sorted(DEEPEST).findFirst().orElseThrow();
        return "at " + pointer(first) + ": " + first.getMessage();
    }

    private static int depth(Error e) {
        return e.getInstanceLocation() == null ? 0 : e.getInstanceLocation().getNameCount();
    }

    /** The failing place as a JSON Pointer ("/lines/1"), "/" for the whole body. */
    private static String pointer(Error e) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; e.getInstanceLocation() != null && i < e.getInstanceLocation().getNameCount(); i++) {
            out.append('/').append(e.getInstanceLocation().getName(i).replace("~", "~0").replace("/", "~1"));
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    /** The schema as the control plane shows it (null for an unusable one). */
    @JsonValue
    public JsonNode json() {
        return json;
    }
}
