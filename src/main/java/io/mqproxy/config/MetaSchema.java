package io.mqproxy.config;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Draft 2020-12's own meta-schema, from the copies the validator library ships, so a producer's schema is
 * checked as a schema ({@code "type": 5} is refused at start-up, not ignored at every send).
 */
final class MetaSchema {
    private static final String ROOT = "https://json-schema.org/draft/2020-12/";
    private static final List<String> PARTS = List.of("schema", "meta/core", "meta/applicator", "meta/unevaluated",
        "meta/validation", "meta/meta-data", "meta/format-annotation", "meta/content");
    private static final Validator VALIDATOR = load();

    private MetaSchema() {
    }

    /** What makes {@code schema} not a draft 2020-12 schema, or null. */
    static String violation(JsonObject schema) {
        OutputUnit result = VALIDATOR.validate(schema);
        return Boolean.TRUE.equals(result.getValid()) ? null : MessageSchema.describe(result);
    }

    private static Validator load() {
        JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(ROOT)
            .setOutputFormat(OutputFormat.Basic);
        SchemaRepository repository = SchemaRepository.create(options);
        for (String part : PARTS) {
            String resource = "json-schema.org/draft/2020-12/" + part;
            try (InputStream in = MetaSchema.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the JSON Schema library's copy of " + resource + " is missing");
                }
                repository.dereference(ROOT + part,
                    JsonSchema.of(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return repository.validator(ROOT + "schema");
    }
}
