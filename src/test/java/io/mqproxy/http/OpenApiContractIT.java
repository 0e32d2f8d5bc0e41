package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds {@code openapi.yaml} to the routes a started proxy serves (issue 23): every operation in the file is
 * served with its method, every route served is in the file, and the parameters an operation declares exist
 * (a path's {@code {name}} is a declared path parameter and a segment of the served route; a declared query or
 * body parameter is a name the HTTP layer reads). Routes are read from the servers' own routers, so a route added
 * without its operation (or the reverse) fails here.
 */
class OpenApiContractIT {
    /** OpenAPI's operation keys (the other keys of a path item are its parameters, summary, ...). */
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch");
    /**
     * Served without an operation on purpose: the console's static files and its catch-all (one handler for the
     * prefix, ConsoleRoutes). Its API calls are in the file and checked by request instead.
     */
    private static final String CONSOLE_CATCH_ALL = "^/console(/.*)?$";
    /** Asked by the answers HTTP gives for free: HEAD of a GET, and the CORS pre-flight; not operations. */
    private static final Set<String> IMPLIED = Set.of("HEAD", "OPTIONS");

    private static TestProxy proxy;
    private static Map<String, Set<String>> served;
    private static List<String> catchAlls;

    @BeforeAll
    static void startProxy() {
        String topic = TestBroker.get().newTopic("contract", 1);
        proxy = TestProxy.builder().producer("contract-producer", topic).start();
        served = new TreeMap<>();
        catchAlls = new ArrayList<>();
        for (List<Route> routes : proxy.app().servers().servedRoutes().values()) {
            for (Route route : routes) {
                if (route.getPath() == null && route.isRegexPath()) {
                    catchAlls.add(route.getName());
                } else if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
                    served.computeIfAbsent(route.getPath(), p -> new TreeSet<>())
                        .addAll(route.methods().stream().map(HttpMethod::name).toList());
                }
            }
        }
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    /** The file's operations: its route path ({@code /a/:b}) -> upper-case methods. */
    static Map<String, Set<String>> operations(JsonNode api) {
        Map<String, Set<String>> operations = new TreeMap<>();
        api.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
            if (METHODS.contains(key)) {
                operations.computeIfAbsent(routePath(path.getKey()), p -> new TreeSet<>())
                    .add(key.toUpperCase(Locale.ROOT));
            }
        }));
        return operations;
    }

    static String routePath(String openApiPath) {
        return openApiPath.replaceAll("\\{([^}/]+)}", ":$1");
    }

    static JsonNode contract(InputStream in) {
        try (in) {
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode contract() {
        return contract(OpenApiContractIT.class.getResourceAsStream("/openapi.yaml"));
    }

    /** What the file declares and the proxy does not serve: "GET /x" lines (the console's by request). */
    static List<String> declaredNotServed(Map<String, Set<String>> operations, Map<String, Set<String>> served,
                                          List<String> catchAlls) {
        List<String> missing = new ArrayList<>();
        operations.forEach((path, methods) -> methods.forEach(method -> {
            boolean byRoute = served.getOrDefault(path, Set.of()).contains(method);
            boolean byCatchAll = catchAlls.stream().anyMatch(regex -> Pattern.matches(regex, path));
            if (!byRoute && !byCatchAll) {
                missing.add(method + " " + path);
            }
        }));
        return missing;
    }

    @Test
    void everyOperationInTheFile_isServedWithItsMethod() {
        assertThat(served).as("routes read from the servers").isNotEmpty();
        assertThat(declaredNotServed(operations(contract()), served, catchAlls))
            .as("operations in openapi.yaml that no route serves; served: %s", served)
            .isEmpty();
    }

    @Test
    void theConsolesOperations_areAnsweredByItsCatchAll() {
        assertThat(catchAlls).as("the console's one handler").containsExactly(CONSOLE_CATCH_ALL);
        ProxyClient client = proxy.client();
        int adminPort = proxy.config().admin().port();
        operations(contract()).forEach((path, methods) -> {
            if (Pattern.matches(CONSOLE_CATCH_ALL, path) && !served.containsKey(path)) {
                for (String method : methods) {
                    var reply = client.send(HttpRequest.newBuilder(client.uri(adminPort, path))
                        .method(method, HttpRequest.BodyPublishers.noBody()));
                    assertThat(reply.httpStatus()).as("%s %s: %s", method, path, reply.raw().body())
                        .isNotIn(404, 405);
                }
            }
        });
    }

    /** What the proxy serves and the file does not declare: "POST /x" lines. */
    static List<String> servedNotDeclared(Map<String, Set<String>> operations, Map<String, Set<String>> served) {
        List<String> undeclared = new ArrayList<>();
        served.forEach((path, methods) -> methods.forEach(method -> {
            if (!IMPLIED.contains(method) && !operations.getOrDefault(path, Set.of()).contains(method)) {
                undeclared.add(method + " " + path);
            }
        }));
        return undeclared;
    }

    @Test
    void everyRouteServed_isInTheFile() {
        assertThat(servedNotDeclared(operations(contract()), served))
            .as("routes served without an operation in openapi.yaml").isEmpty();
    }

    /** The check can fail: a copy of the file without one path finds that path's route undeclared. */
    @Test
    void aCopyOfTheFileWithoutOnePath_fails() {
        JsonNode copy = contract().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("paths")).remove("/admin/topics");
        assertThat(servedNotDeclared(operations(copy), served)).containsExactly("POST /admin/topics");
        Map<String, Set<String>> fewerRoutes = new TreeMap<>(served);
        fewerRoutes.remove("/admin/topics");
        assertThat(declaredNotServed(operations(contract()), fewerRoutes, catchAlls))
            .containsExactly("POST /admin/topics");
    }

    @Test
    void pathParameters_areDeclaredAndInTheRoute() {
        JsonNode api = contract();
        List<String> wrong = new ArrayList<>();
        api.path("paths").fields().forEachRemaining(path -> {
            Set<String> templated = new TreeSet<>();
            Matcher m = Pattern.compile("\\{([^}/]+)}").matcher(path.getKey());
            while (m.find()) {
                templated.add(m.group(1));
            }
            path.getValue().fields().forEachRemaining(op -> {
                if (!METHODS.contains(op.getKey())) {
                    return;
                }
                Set<String> declared = new TreeSet<>();
                parameters(api, path.getValue(), op.getValue()).stream()
                    .filter(p -> p.path("in").asText().equals("path"))
                    .forEach(p -> declared.add(p.path("name").asText()));
                if (!declared.equals(templated)) {
                    wrong.add(op.getKey() + " " + path.getKey() + ": declares " + declared + ", path has "
                        + templated);
                }
            });
        });
        assertThat(wrong).as("path parameters that differ from the path's template").isEmpty();
    }

    @Test
    void queryParameters_areReadByTheHttpLayer() throws IOException {
        String httpSources = httpSources();
        JsonNode api = contract();
        List<String> unread = new ArrayList<>();
        api.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                parameters(api, path.getValue(), op.getValue()).stream()
                    .filter(p -> p.path("in").asText().equals("query"))
                    .map(p -> p.path("name").asText())
                    .filter(name -> !httpSources.contains("\"" + name + "\""))
                    .forEach(name -> unread.add(op.getKey() + " " + path.getKey() + " ?" + name));
            }
        }));
        assertThat(unread).as("query parameters no route reads (by name)").isEmpty();
    }

    @Test
    void bodyParameters_areReadByTheHttpLayer() throws IOException {
        String httpSources = httpSources();
        JsonNode api = contract();
        List<String> unread = new ArrayList<>();
        api.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                op.getValue().path("requestBody").path("content").forEach(content -> {
                    Set<String> names = new TreeSet<>();
                    properties(api, content.path("schema"), names);
                    names.stream().filter(name -> !httpSources.contains("\"" + name + "\""))
                        .forEach(name -> unread.add(op.getKey() + " " + path.getKey() + " body " + name));
                });
            }
        }));
        assertThat(unread).as("body parameters no route reads (by name)").isEmpty();
    }

    /** A schema's top-level property names, through references and allOf. */
    private static void properties(JsonNode api, JsonNode schema, Set<String> names) {
        JsonNode s = schema.has("$ref") ? api.at(schema.get("$ref").asText().substring(1)) : schema;
        s.path("allOf").forEach(part -> properties(api, part, names));
        s.path("properties").fieldNames().forEachRemaining(names::add);
    }

    /** An operation's parameters with the path item's, references resolved. */
    private static List<JsonNode> parameters(JsonNode api, JsonNode pathItem, JsonNode operation) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode list : List.of(pathItem.path("parameters"), operation.path("parameters"))) {
            for (JsonNode p : list) {
                all.add(p.has("$ref") ? api.at(p.get("$ref").asText().substring(1)) : p);
            }
        }
        return all;
    }

    /** The HTTP layer's sources, where every parameter a route reads is named. */
    private static String httpSources() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/mqproxy/http"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }
}
