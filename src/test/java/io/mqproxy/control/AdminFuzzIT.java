package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 6: every field of every admin route (the control API, the original MQ-Proxy's control routes,
 * alerts, push, the console's tools) with random values: numbers in and far out of range (negative, past int and
 * long), numbers as strings, strings, arrays and objects where numbers or strings belong, empty, unicode and very
 * long strings, times past what epoch milliseconds hold; as JSON, form and query. No answer is a 500, and after
 * every change the proxy accepts the group still serves its clients (a poll answers 200).
 *
 * <p>Seeded and bounded: the seed is printed, {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.cases=N} sets
 * the cases per route.
 */
class AdminFuzzIT {
    private static final long SEED = Long.getLong("fuzz.seed", 20_261_207L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 60);
    private static final String TOKEN = "fuzz-operator-token-0123456789";
    private static final String PRODUCER = "afz-producer";
    private static final String GROUP = "afz-group";
    private static final String HELD = "afz-held";
    private static final String BROADCAST = "afz-bcast";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SETTINGS = List.of("maxPullSize", "consumeTimeoutSeconds",
        "minConsumeTimeoutSeconds", "maxConsumeTimeoutSeconds", "pullTimeoutSeconds", "maxRetries", "broadcastStart",
        "clientTtlSeconds", "maxClientIds", "paused", "rateLimit");
    /** Fields a route needs to get anywhere: given (right) more often than not. */
    private static final java.util.Set<String> REQUIRED = java.util.Set.of("consumer", "url", "secret", "to",
        "name", "topic", "id", "message", "rateLimitEnabled");
    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    /** What a field holds when it is right: each route's fields get this sometimes, fuzz the rest of the time. */
    private enum Kind { INT, LONG, BOOL, TIME, TEXT, NAME, LIST, URL, SECRET, MODE, START }

    private record Field(String name, Kind kind, long min, long max) {
        static Field of(String name, Kind kind) {
            return new Field(name, kind, 0, 0);
        }

        static Field number(String name, long min, long max) {
            return new Field(name, Kind.INT, min, max);
        }
    }

    private record Route(String method, String path, boolean query, List<Field> fields) {
        boolean write() {
            return !method.equals("GET");
        }
    }

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("admin-fuzz", 2);
        proxy = TestProxy.builder().operator("ops", TOKEN).producer(PRODUCER, topic)
            .consumer(GROUP, topic, Map.of("pop", true))
            .consumer(HELD, topic, Map.of("pop", false))
            .consumer(BROADCAST, topic, Map.of("mode", "broadcast"))
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static List<Route> routes() {
        List<Field> settings = new ArrayList<>();
        for (String s : SETTINGS) {
            settings.add(switch (s) {
                case "paused" -> Field.of(s, Kind.BOOL);
                case "broadcastStart" -> Field.of(s, Kind.START);
                case "rateLimit" -> Field.number(s, 0, 1_000_000);
                case "maxPullSize" -> Field.number(s, 1, 128);
                case "pullTimeoutSeconds" -> Field.number(s, 0, 60);
                case "maxRetries" -> Field.number(s, 0, 1000);
                case "maxClientIds" -> Field.number(s, 1, 100_000);
                default -> Field.number(s, 0, 129_600);
            });
        }
        List<Field> register = new ArrayList<>(settings);
        register.addAll(List.of(Field.of("name", Kind.NAME), Field.of("topic", Kind.NAME), Field.of("mode", Kind.MODE),
            Field.of("pop", Kind.BOOL)));
        String g = "/admin/groups/" + GROUP;
        return List.of(
            new Route("PATCH", g, false, settings),
            new Route("PATCH", "/admin/groups/" + BROADCAST, false, settings),
            new Route("POST", "/admin/groups", false, register),
            new Route("POST", g + "/pause", false, List.of()),
            new Route("POST", g + "/resume", false, List.of()),
            new Route("POST", g + "/reset", false, List.of(Field.of("to", Kind.TIME), Field.of("clientId", Kind.TEXT))),
            new Route("POST", g + "/redeliver", false, List.of(Field.of("messageId", Kind.TEXT),
                Field.of("clientId", Kind.TEXT))),
            new Route("POST", g + "/dlq/redrive", false, List.of(Field.of("messageIds", Kind.LIST),
                Field.of("all", Kind.BOOL), Field.of("clientId", Kind.TEXT))),
            new Route("POST", "/admin/groups/" + HELD + "/release-held-queues", false, List.of(
                Field.of("clientId", Kind.TEXT), Field.of("broker", Kind.TEXT), Field.number("queueId", 0, 65_535))),
            new Route("POST", "/admin/producers", false, List.of(Field.of("name", Kind.NAME),
                Field.of("topic", Kind.NAME))),
            new Route("POST", "/admin/topics", false, List.of(Field.of("name", Kind.NAME),
                Field.number("queues", 1, 1024))),
            new Route("POST", "/admin/credentials", false, List.of(Field.of("id", Kind.NAME),
                Field.of("producers", Kind.LIST), Field.of("consumers", Kind.LIST), Field.of("expiresAt", Kind.TIME))),
            new Route("PUT", "/admin/alerts/defaults", false, alertFields()),
            new Route("PUT", "/admin/alerts/groups/" + GROUP, false, alertFields()),
            new Route("PUT", g + "/push", false, List.of(Field.of("url", Kind.URL), Field.of("secret", Kind.SECRET),
                Field.of("clientId", Kind.TEXT), Field.number("maxInFlight", 1, 1024),
                Field.number("ratePerSecond", 0, 1_000_000), Field.number("batchSize", 1, 32),
                Field.number("minBackoffMillis", 1000, 3_600_000), Field.number("maxBackoffMillis", 1000, 86_400_000),
                Field.number("timeoutMillis", 100, 600_000))),
            new Route("POST", "/admin/producers/" + PRODUCER + "/test-message", false, List.of(
                Field.of("message", Kind.TEXT), Field.of("keys", Kind.TEXT), Field.of("tags", Kind.TEXT))),
            new Route("POST", "/mq/consumer/config", false, List.of(Field.of("consumer", Kind.NAME),
                Field.number("maxPullSize", 1, 128), Field.number("consumeTimeoutInMillis", 10_000, 129_600_000),
                Field.number("pullTimeoutInMillis", 1_000, 60_000), Field.of("pause", Kind.BOOL),
                Field.of("rateLimitEnabled", Kind.BOOL), Field.number("limitRate", 1, 1_000_000),
                Field.of("clientId", Kind.TEXT), Field.of("resetOffsetTimestamp", Kind.TIME),
                Field.of("retryMsgId", Kind.TEXT))),
            new Route("GET", "/admin/messages", true, List.of(Field.of("topic", Kind.NAME), Field.of("id", Kind.TEXT),
                Field.of("key", Kind.TEXT), Field.of("since", Kind.TIME), Field.of("until", Kind.TIME),
                Field.of("tag", Kind.TEXT), Field.number("pageSize", 1, 1_000), Field.of("cursor", Kind.TEXT),
                Field.number("limit", 1, 1_000), Field.of("states", Kind.BOOL), Field.of("clientId", Kind.TEXT),
                Field.of("full", Kind.BOOL))),
            new Route("GET", g + "/dlq", true, List.of(Field.of("clientId", Kind.TEXT), Field.number("limit", 1, 1_000))),
            new Route("GET", "/admin/audit", true, List.of(Field.of("target", Kind.TEXT),
                Field.number("limit", 1, 1_000))),
            new Route("GET", g + "/lag", true, List.of(Field.number("minutes", 1, 60))),
            new Route("GET", g + "/peek", true, List.of(Field.of("clientId", Kind.TEXT), Field.number("limit", 1, 32))),
            new Route("GET", g + "/queues", true, List.of(Field.of("clientId", Kind.TEXT))),
            new Route("GET", "/admin/alerts", true, List.of(Field.of("group", Kind.NAME), Field.of("status", Kind.TEXT))),
            new Route("GET", "/mq/broadcast/queue/offset", true, List.of(Field.of("consumer", Kind.NAME),
                Field.of("clientId", Kind.TEXT))),
            new Route("GET", "/mq/clustering/queue/offset", true, List.of(Field.of("consumer", Kind.NAME))),
            // The group is the file's: unregistering it is refused, whatever the body says.
            new Route("POST", "/mq/unregister", false, List.of(Field.of("consumer", Kind.NAME))),
            new Route("DELETE", g, false, List.of()),
            new Route("DELETE", "/admin/alerts/groups/" + GROUP, false, List.of()),
            new Route("DELETE", "/admin/alerts/defaults", false, List.of()),
            new Route("POST", "/console/api/login", false, List.of(Field.of("token", Kind.TEXT))),
            new Route("DELETE", g + "/push", false, List.of()));
    }

    /** Routes with a path parameter, {x} filled with anything (percent-encoded), and a body that would do. */
    private static final String[][] PATHS = {{"GET", "/admin/groups/{x}", null},
        {"PATCH", "/admin/groups/{x}", "{\"maxPullSize\":5}"}, {"POST", "/admin/groups/{x}/reset", "{\"to\":\"latest\"}"},
        {"GET", "/admin/groups/{x}/queues", null}, {"GET", "/mq/config/{x}", null},
        {"DELETE", "/admin/credentials/{x}", null}, {"DELETE", "/admin/producers/{x}", null},
        {"GET", "/admin/alerts/groups/{x}", null}, {"PUT", "/admin/groups/{x}/push", "{\"url\":\"http://127.0.0.1:9/\"}"},
        {"POST", "/admin/producers/{x}/test-message", "{\"message\":\"m\"}"}};

    private static List<Field> alertFields() {
        return List.of(Field.number("backlog", 0, 1_000_000_000_000L), Field.number("oldestAgeSeconds", 0, 315_360_000),
            Field.number("stuckSeconds", 0, 315_360_000), Field.number("deadLetters", 0, 1_000_000_000_000L),
            Field.number("deadLettersWindowSeconds", 1, 604_800));
    }

    @Test
    void everyFieldOfEveryAdminRoute_withRandomValues_neverA500_andTheGroupStaysUsable() throws Exception {
        System.out.println("AdminFuzzIT seed=" + SEED + " cases per route=" + CASES + " (replay with -Dfuzz.seed="
            + SEED + ")");
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        try (LogCapture log = LogCapture.attach()) {
            for (Route route : routes()) {
                for (int i = 0; i < (route.fields().isEmpty() ? 3 : CASES); i++) {
                    // One field fuzzed in turn, a few others right: a request gets past the first check to the
                    // field under test, and values that happen to be in range are accepted and used.
                    Map<String, Object> params = new LinkedHashMap<>();
                    Field target = route.fields().isEmpty() ? null : route.fields().get(i % route.fields().size());
                    for (Field field : route.fields()) {
                        if (field == target) {
                            // The first rounds give each field the values that broke groups: far past its range,
                            // and the largest int; then anything.
                            int round = i / route.fields().size();
                            params.put(field.name(), round == 0 ? farPast(field) : round == 1 ? Integer.MAX_VALUE
                                : random.nextBoolean() ? valid(random, field) : fuzz(random));
                        } else if (REQUIRED.contains(field.name()) ? random.nextInt(8) > 0 : random.nextInt(4) == 0) {
                            params.put(field.name(), valid(random, field));
                        }
                    }
                    if (random.nextInt(12) == 0) {
                        params.put(random.nextBoolean() ? "unknownField" : "", fuzz(random));
                    }
                    String encoding = route.query() ? "query" : random.nextInt(5) == 0 ? "form" : "json";
                    String shown = route.method() + " " + route.path() + " " + encoding + " " + shorten(describe(params));
                    Reply reply = send(route, params, encoding);
                    outcomes.merge(route.method() + " " + route.path() + " " + reply.httpStatus(), 1, Integer::sum);
                    if (reply.httpStatus() >= 500 || reply.status() >= 500) {
                        failures.add(shown + " -> " + reply.httpStatus() + " " + shorten(reply.raw().body()));
                    } else if (route.write() && reply.httpStatus() == 200) {
                        String unusable = unusable();
                        if (unusable != null) {
                            failures.add(shown + " accepted, then a poll of " + GROUP + " -> " + unusable);
                        }
                    }
                }
                String unusable = unusable();
                if (unusable != null) {
                    failures.add("after the cases of " + route.method() + " " + route.path() + ", a poll -> " + unusable);
                }
                if (failures.size() > 30) {
                    break;
                }
            }
            for (String[] p : PATHS) {
                for (int i = 0; i < CASES / 3; i++) {
                    String x = URLEncoder.encode(String.valueOf(fuzz(random)), StandardCharsets.UTF_8)
                        .replace("+", "%20");
                    String path = p[1].replace("{x}", x.isEmpty() ? "%20" : x);
                    HttpRequest.Builder request = HttpRequest.newBuilder(client.uri(client.adminPort(), path))
                        .header("Authorization", "Bearer " + TOKEN).method(p[0], p[2] == null
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(p[2]));
                    if (p[2] != null) {
                        request.header("Content-Type", "application/json");
                    }
                    Reply reply = client.send(request);
                    outcomes.merge(p[0] + " " + p[1] + " " + reply.httpStatus(), 1, Integer::sum);
                    if (reply.httpStatus() >= 500 || reply.status() >= 500) {
                        failures.add(p[0] + " " + shorten(path) + " -> " + reply.httpStatus() + " "
                            + shorten(reply.raw().body()));
                    }
                }
            }
            String unusable = unusable();
            if (unusable != null) {
                failures.add("after the path parameters, a poll -> " + unusable);
            }
            System.out.println("AdminFuzzIT outcomes: " + outcomes);
            failures.forEach(f -> System.out.println("AdminFuzzIT failure: " + f));
            assertThat(failures).as("seed %s: requests answered with a 500, or a group left unusable", SEED).isEmpty();
            assertThat(log.stackTraces()).as("seed %s: stack traces logged", SEED).isEmpty();
        }
    }

    /** Null when a poll of the group answers 200, else what it answered. */
    private static String unusable() {
        Reply poll = new Consumer(client, topic, GROUP).with("pullTimeout", "0").poll();
        return poll.httpStatus() == 200 && poll.status() == 200 ? null
            : poll.httpStatus() + " " + shorten(poll.raw().body());
    }

    private static Reply send(Route route, Map<String, Object> params, String encoding) throws Exception {
        String path = route.path();
        HttpRequest.Builder request;
        if (encoding.equals("query")) {
            request = HttpRequest.newBuilder(client.uri(client.adminPort(), path + "?" + form(params))).GET();
        } else if (encoding.equals("form")) {
            request = HttpRequest.newBuilder(client.uri(client.adminPort(), path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(route.method(), HttpRequest.BodyPublishers.ofString(form(params)));
        } else {
            request = HttpRequest.newBuilder(client.uri(client.adminPort(), path))
                .header("Content-Type", "application/json")
                .method(route.method(), HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(params)));
        }
        return client.send(request.header("Authorization", "Bearer " + TOKEN));
    }

    private static String form(Map<String, Object> params) {
        return params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(formText(e.getValue()), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    }

    private static String formText(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    /** Far past what the field takes, where an int overflows or a library gives up. */
    private static Object farPast(Field field) {
        return switch (field.kind()) {
            case INT, LONG -> field.max() * 1000 + 1;
            case TIME -> "+999999999-12-31T23:59:59Z";
            case BOOL -> 2;
            default -> "x".repeat(5_000);
        };
    }

    /** A value the field takes (mostly), so that the requests get past the first check to the later ones. */
    private static Object valid(Random random, Field field) {
        return switch (field.kind()) {
            case INT, LONG -> switch (random.nextInt(5)) {
                case 0 -> field.min() - 1 + random.nextInt(3);
                case 1 -> field.max() - 1 + random.nextInt(3);
                // Far past the range, where an int overflows or a library gives up (1,000,000,001 a second broke
                // the rate limiter).
                case 2 -> random.nextBoolean() ? field.max() * 1000 + 1 : (long) Integer.MAX_VALUE;
                default -> field.min() + (long) (random.nextDouble() * (field.max() - field.min() + 1));
            };
            case BOOL -> random.nextBoolean();
            case TIME -> switch (random.nextInt(7)) {
                case 5 -> "+999999999-12-31T23:59:59Z";
                case 6 -> random.nextBoolean() ? "1969-12-31T23:59:59.999Z" : Long.toString(Long.MAX_VALUE);
                case 0 -> "earliest";
                case 1 -> "latest";
                case 2 -> System.currentTimeMillis() - random.nextInt(100_000);
                case 3 -> Instant.now().plusSeconds(random.nextInt(1_000_000)).toString();
                default -> Long.toString(System.currentTimeMillis() + random.nextInt(1_000_000));
            };
            case TEXT -> random.nextBoolean() ? "c" + random.nextInt(3) : "*";
            case NAME -> field.name().equals("consumer") ? GROUP : switch (random.nextInt(4)) {
                case 0 -> GROUP;
                case 1 -> topic;
                case 2 -> BROADCAST;
                default -> "afz-n" + random.nextInt(3);
            };
            case LIST -> random.nextBoolean() ? List.of("afz-other") : List.of("afz-other", "afz-else");
            case URL -> random.nextBoolean() ? "http://127.0.0.1:9/hook" : "https://example.invalid/x";
            case SECRET -> "s".repeat(random.nextBoolean() ? 32 : 3);
            case MODE -> random.nextBoolean() ? "clustering" : "broadcast";
            case START -> random.nextBoolean() ? "earliest" : "latest";
        };
    }

    private static final Object[] NUMBERS = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
        Long.MIN_VALUE, 1_000_000_001, 2_147_483_648L, new BigInteger("99999999999999999999999"), 1.5, -0.0, 1e300,
        129_601, 65_536, 253_402_300_800_000L};
    private static final String[] STRINGS = {"", " ", "5", "-1", "1e9", "0x10", "+5", "abc", "true", "null", "NaN",
        "é中文\uD83D\uDE00", "\u0000\r\nx", "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
        "2026-12-01T10:00:00Z", "9999999999999999999", "earliest", "latest", "../../etc", "%DLQ%x", "a,b,,c"};

    /** Anything: wrong types, out of range, huge. */
    private static Object fuzz(Random random) {
        return switch (random.nextInt(12)) {
            case 0, 1, 2 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 3 -> random.nextBoolean() ? random.nextInt() : random.nextLong();
            case 4, 5, 6 -> STRINGS[random.nextInt(STRINGS.length)];
            case 7 -> "x".repeat(random.nextBoolean() ? 300 : 20_000);
            case 8 -> random.nextBoolean() ? List.of() : List.of("a", 1, List.of("b"));
            case 9 -> Map.of("v", random.nextBoolean() ? 1 : "x");
            case 10 -> random.nextBoolean();
            default -> random.nextBoolean() ? null : "";
        };
    }

    private static String describe(Map<String, Object> params) {
        try {
            return JSON.writeValueAsString(params);
        } catch (Exception e) {
            return params.toString();
        }
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() <= 400 ? s : s.substring(0, 400) + "...(" + s.length() + ")";
    }
}
