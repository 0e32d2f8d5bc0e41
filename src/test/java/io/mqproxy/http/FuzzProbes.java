package io.mqproxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The hostile requests of {@link HttpFuzzIT}, drawn from one seeded {@link Random}: the same seed gives the
 * same requests in the same order. Each is whole raw bytes, for what no client library would send.
 */
final class FuzzProbes {
    /** Where a probe goes. */
    enum Port { PRODUCE, CONSUME, ADMIN }

    /**
     * One request. {@code rawFraming}: its HTTP framing is the point (chunking, lengths, heads), so the answer
     * may carry the code HTTP requires (400, 408, 413, 414, 431); {@code halfClose}: the client hangs up after
     * sending (a partial body), so a close without an answer is right.
     */
    record Probe(int index, String kind, Port port, String method, String path, byte[] bytes,
                 boolean rawFraming, boolean halfClose) {
        String describe() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            StringBuilder shown = new StringBuilder();
            for (char c : text.substring(0, Math.min(text.length(), 300)).toCharArray()) {
                shown.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c)
                    : String.valueOf(c));
            }
            return "#" + index + " " + kind + " " + port + " " + method + " " + path + " (" + bytes.length + " bytes): "
                + shown + (text.length() > 300 ? "..." : "");
        }
    }

    private static final String[] BAD_ESCAPES = {"%", "%G", "%zz", "%u00e9", "%%", "%2", "a%", "%%41", "%0"};
    private static final String[] BROKEN_UTF8 = {"%C3", "%FF%FE", "%ED%A0%80", "%C0%AF", "%E2%82", "%F8%88%80%80%80"};
    private static final String[] WRONG_TYPES = {"abc", "1.5", "-1", "1e9", "99999999999999999999", "true", "", " ",
        "[]", "{}", "null", "NaN", "0x10", "+5", "1 2", "\u0000", "ｔｒｕｅ"};
    private static final String[] CONTENT_TYPES = {"application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8", "application/x-www-form-urlencoded; charset=nope",
        "application/x-www-form-urlencoded; charset=UTF-16", "application/x-www-form-urlencoded; charset=\"",
        "application/json", "application/json; charset=utf-16", "text/plain", "multipart/form-data; boundary=x",
        "", "application/JSON", ";;;", "application/x-www-form-urlencoded; charset=ISO-8859-1"};
    private static final String[] ORIGINS = {"http://a.example", "null", "chrome-extension://abc", "capacitor://localhost",
        "file://", "http://x\u00e9.example", "\u0001bad", "*", ""};

    private final Random random;
    private final String producer;
    private final String topic;
    private final String consumer;
    private final String requestId;
    private int index;

    FuzzProbes(long seed, String producer, String topic, String consumer, String requestId) {
        this.random = new Random(seed);
        this.producer = producer;
        this.topic = topic;
        this.consumer = consumer;
        this.requestId = requestId;
    }

    /** The next probe: mostly hostile, some valid (they must still work), every endpoint, wrong ones too. */
    Probe next() {
        index++;
        int pick = random.nextInt(100);
        if (pick < 25) {
            return produceProbe();
        }
        if (pick < 35) {
            return batchProbe();
        }
        if (pick < 60) {
            return consumeProbe();
        }
        if (pick < 70) {
            return probeOfProbes();
        }
        if (pick < 88) {
            return brokenFraming();
        }
        return wrongPlaces();
    }

    // ---- the endpoints ----

    private Probe produceProbe() {
        List<String[]> params = new ArrayList<>();
        params.add(new String[] {"producer", random.nextInt(10) == 0 ? fuzzValue() : producer});
        params.add(new String[] {"message", random.nextInt(8) == 0 ? fuzzValue() : "fuzz " + random.nextInt(1000)});
        String[][] optional = {{"keys", "k" + random.nextInt(9)}, {"tags", "t"}, {"orderId", "o" + random.nextInt(3)},
            {"delayLevel", Integer.toString(random.nextInt(20) - 1)},
            {"deliveryTimestamp", Long.toString(System.currentTimeMillis() + 600_000 + random.nextInt(86_400_000))},
            {"roundRobin", random.nextBoolean() ? "true" : "1"}, {"clientIp", "10.0.0." + random.nextInt(255)}};
        for (String[] p : optional) {
            if (random.nextInt(5) == 0) {
                params.add(new String[] {p[0], random.nextInt(3) == 0 ? fuzzValue() : p[1]});
            }
        }
        mutateParams(params);
        for (String[] p : params) {
            p[1] = notDueDuringTheRun(p[0], p[1]);
        }
        return withParams("produce", Port.PRODUCE, "POST", "/mq/produce", params);
    }

    /**
     * A delayed message the proxy accepts is stored in the topic when it falls due, which would look like a
     * later, refused request's doing: accepted delays are kept longer than any run.
     */
    private static String notDueDuringTheRun(String name, String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (name.equalsIgnoreCase("delayLevel") && n >= 1 && n <= 16) {
                return "17";
            }
            if (name.equalsIgnoreCase("deliveryTimestamp") && n >= 0 && n < System.currentTimeMillis() + 600_000) {
                return Long.toString(System.currentTimeMillis() + 86_400_000);
            }
        } catch (NumberFormatException notANumber) {
            // refused by the proxy: may stay as it is
        }
        return value;
    }

    private Probe batchProbe() {
        List<String[]> params = new ArrayList<>();
        params.add(new String[] {"producer", random.nextInt(10) == 0 ? fuzzValue() : producer});
        params.add(new String[] {"messages", messagesValue()});
        if (random.nextInt(4) == 0) {
            params.add(new String[] {"tags", random.nextBoolean() ? "t" : fuzzValue()});
        }
        if (random.nextInt(4) == 0) {
            params.add(new String[] {"orderId", random.nextBoolean() ? "o1" : fuzzValue()});
        }
        mutateParams(params);
        return withParams("batch", Port.PRODUCE, "POST", "/mq/produce/batch", params);
    }

    private String messagesValue() {
        return switch (random.nextInt(10)) {
            case 0 -> "[\"a\",\"b\",{\"x\":1},[1,2],3,null,true]";
            case 1 -> "[" + "[".repeat(3000) + "]".repeat(3000) + "]";
            case 2 -> "{\"not\":\"an array\"}";
            case 3 -> "[\"unterminated";
            case 4 -> "[]";
            case 5 -> "[" + "\"x\",".repeat(1500) + "\"x\"]";
            case 6 -> "[\"\\u0000\",\"\\ud800\",\"\"]";
            case 7 -> fuzzValue();
            default -> "[\"fuzz batch " + random.nextInt(1000) + "\",\"second\"]";
        };
    }

    private Probe consumeProbe() {
        String[] paths = {"/mq/message", "/mq/ack", "/mq/unlock", "/mq/nack"};
        String path = paths[random.nextInt(paths.length)];
        List<String[]> params = new ArrayList<>();
        params.add(new String[] {"topic", random.nextInt(10) == 0 ? fuzzValue() : topic});
        params.add(new String[] {"consumer", random.nextInt(10) == 0 ? fuzzValue() : consumer});
        params.add(new String[] {"requestId", requestIdValue(path)});
        String[][] optional = {{"maxPullSize", Integer.toString(random.nextInt(140) - 5)},
            {"consumeTimeout", Integer.toString(random.nextInt(200_000) - 10)},
            // Never a valid positive wait: a poll would hold the run for it.
            {"pullTimeout", random.nextBoolean() ? "0" : Integer.toString(61 + random.nextInt(1000))},
            {"pop", random.nextBoolean() ? "false" : "true"}, {"useCookie", random.nextBoolean() ? "1" : "0"},
            {"clientId", "c" + random.nextInt(5)}, {"delay", Integer.toString(random.nextInt(200_000) - 10)},
            {"clientIp", "::1"}};
        for (String[] p : optional) {
            if (random.nextInt(4) == 0) {
                params.add(new String[] {p[0], random.nextInt(3) == 0 ? fuzzValue() : p[1]});
            }
        }
        mutateParams(params);
        for (String[] p : params) {
            // Never a valid positive wait, however it is spelled: a poll would hold the run for it.
            if (p[0].equalsIgnoreCase("pullTimeout") && p[1].trim().matches("\\+?0*[1-9]\\d?")) {
                p[1] = "0";
            }
        }
        String method = random.nextBoolean() ? "GET" : "POST";
        return withParams("consume", Port.CONSUME, method, path, params);
    }

    private String requestIdValue(String path) {
        int roll = random.nextInt(10);
        if (roll < 3 && !path.equals("/mq/message")) {
            return requestId;
        }
        if (roll < 5) {
            return "";
        }
        if (roll < 7 && requestId.length() > 4) {
            char[] chars = requestId.toCharArray();
            chars[random.nextInt(chars.length)] = "ABCxyz019_-".charAt(random.nextInt(11));
            return random.nextBoolean() ? new String(chars) : requestId.substring(0, random.nextInt(requestId.length()));
        }
        return fuzzValue();
    }

    private Probe probeOfProbes() {
        String[] paths = {"/health", "/ready", "/openapi.yaml", "/metrics"};
        String path = paths[random.nextInt(paths.length)];
        Port port = path.equals("/metrics") ? Port.ADMIN : Port.values()[random.nextInt(3)];
        String method = random.nextInt(4) == 0 ? "HEAD" : "GET";
        String query = random.nextBoolean() ? "" : "?" + "x=" + fuzzValue();
        return plain("probe", port, method, path + query, "", null);
    }

    /** Wrong methods, unknown paths, ports that do not serve the route, CORS from odd origins. */
    private Probe wrongPlaces() {
        String[] methods = {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "GET", "POST", "HEAD", "FOO", "get"};
        String[] paths = {"/mq/produce", "/mq/message", "/health", "/mq/produce/", "/mq//produce", "/MQ/PRODUCE",
            "/mq/produce/batch/x", "/nope", "/mq/%2e%2e/health", "/mq/%zz", "/%00", "/" + "a".repeat(2000), "*",
            "/mq/message;jsessionid=1", "/mq/./message", "/health/"};
        String method = methods[random.nextInt(methods.length)];
        String path = paths[random.nextInt(paths.length)];
        Port port = Port.values()[random.nextInt(3)];
        StringBuilder extra = new StringBuilder();
        if (random.nextBoolean()) {
            extra.append("Origin: ").append(ORIGINS[random.nextInt(ORIGINS.length)]).append("\r\n");
            if (method.equals("OPTIONS")) {
                extra.append("Access-Control-Request-Method: POST\r\n");
                if (random.nextBoolean()) {
                    extra.append("Access-Control-Request-Headers: content-type, x-").append(fuzzToken()).append("\r\n");
                }
            }
        }
        String body = method.equals("GET") || method.equals("HEAD") ? "" : "producer=" + producer + "&message=x";
        return plain("wrong-place", port, method, path, extra.toString(), body);
    }

    // ---- HTTP framing itself broken ----

    private Probe brokenFraming() {
        Port port = random.nextInt(3) == 0 ? Port.CONSUME : Port.PRODUCE;
        String path = port == Port.PRODUCE ? "/mq/produce" : "/mq/message";
        String head = "POST " + path + " HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/x-www-form-urlencoded\r\n";
        String form = "producer=" + producer + "&message=chunked&topic=" + topic + "&consumer=" + consumer;
        int roll = random.nextInt(20);
        return switch (roll) {
            case 0 -> framing("bad-chunk-size", port, path, head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + form
                + "\r\n0\r\n\r\n", false);
            case 1 -> framing("negative-chunk", port, path, head + "Transfer-Encoding: chunked\r\n\r\n-5\r\nabcde\r\n0\r\n\r\n",
                false);
            case 2 -> framing("huge-chunk-size", port, path, head + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n"
                + "abc\r\n0\r\n\r\n", false);
            case 3 -> framing("chunk-without-crlf", port, path, head + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(form.length()) + "\r\n" + form + "XX5\r\nhello\r\n0\r\n\r\n", false);
            case 4 -> framing("chunk-extension-garbage", port, path, head + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(form.length()) + ";\u0001\u0002=\"\r\n" + form + "\r\n0\r\n\r\n", false);
            case 5 -> framing("good-chunks", port, path, head + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(form.length()) + "\r\n" + form + "\r\n0\r\n\r\n", false);
            case 6 -> framing("short-body-half-closed", port, path, head + "Content-Length: 5000\r\n\r\n" + form, true);
            case 7 -> framing("length-not-a-number", port, path, head + "Content-Length: 12abc\r\n\r\n" + form, false);
            case 8 -> framing("two-lengths", port, path, head + "Content-Length: 3\r\nContent-Length: " + form.length()
                + "\r\n\r\n" + form, false);
            case 9 -> framing("length-and-chunked", port, path, head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(form.length()) + "\r\n" + form + "\r\n0\r\n\r\n", false);
            case 10 -> framing("unknown-transfer-coding", port, path, head + "Transfer-Encoding: gzip, xchunked\r\n\r\n"
                + form, false);
            case 11 -> framing("huge-header", port, path, head + "X-Big: " + "h".repeat(9000 + random.nextInt(20_000))
                + "\r\n\r\n", false);
            case 12 -> framing("huge-request-line", port, path, "GET " + path + "?topic=" + "t".repeat(5000
                + random.nextInt(5000)) + " HTTP/1.1\r\nHost: fuzz\r\n\r\n", false);
            case 13 -> framing("bad-version", port, path, "GET " + path + " HTTP/7.3\r\nHost: fuzz\r\n\r\n", false);
            case 14 -> framing("garbage", port, path, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003 not http\r\n\r\n",
                false);
            case 15 -> framing("nul-in-header", port, path, head + "X-Nul: a\u0000b\r\nContent-Length: " + form.length()
                + "\r\n\r\n" + form, false);
            case 16 -> framing("folded-header", port, path, head + "X-Fold: a\r\n  b\r\nContent-Length: " + form.length()
                + "\r\n\r\n" + form, false);
            case 17 -> framing("bare-lf", port, path, ("POST " + path + " HTTP/1.1\nHost: fuzz\nContent-Type: "
                + "application/x-www-form-urlencoded\nContent-Length: " + form.length() + "\n\n" + form), false);
            case 18 -> framing("over-max-body", port, path, head + "Content-Length: " + (300_000 + random.nextInt(100_000))
                + "\r\n\r\n" + "m".repeat(1000), false);
            default -> framing("body-over-max-chunked", port, path, head + "Transfer-Encoding: chunked\r\n\r\n"
                + chunks("producer=" + producer + "&message=" + "c".repeat(270_000)) + "0\r\n\r\n", false);
        };
    }

    private String chunks(String body) {
        StringBuilder out = new StringBuilder();
        for (int from = 0; from < body.length(); from += 8000) {
            String part = body.substring(from, Math.min(body.length(), from + 8000));
            out.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
        }
        return out.toString();
    }

    private Probe framing(String kind, Port port, String path, String raw, boolean halfClose) {
        return new Probe(index, kind, port, "RAW", path, raw.getBytes(StandardCharsets.ISO_8859_1), true, halfClose);
    }

    // ---- parameters and how they travel ----

    /** Duplicates, unknown names, dropped required ones. */
    private void mutateParams(List<String[]> params) {
        int roll = random.nextInt(10);
        if (roll == 0 && !params.isEmpty()) {
            String[] p = params.get(random.nextInt(params.size()));
            params.add(new String[] {p[0], fuzzValue()});
        } else if (roll == 1 && !params.isEmpty()) {
            params.remove(random.nextInt(params.size()));
        } else if (roll == 2) {
            params.add(new String[] {fuzzToken(), fuzzValue()});
        } else if (roll == 3 && !params.isEmpty()) {
            String[] p = params.get(random.nextInt(params.size()));
            params.add(0, new String[] {p[0].toUpperCase(), p[1]});
        }
    }

    /** Query, form body or JSON body, each with its own ways to break. */
    private Probe withParams(String kind, Port port, String method, String path, List<String[]> params) {
        int how = method.equals("GET") ? 0 : random.nextInt(3);
        StringBuilder headers = new StringBuilder();
        if (random.nextInt(6) == 0) {
            headers.append("Origin: ").append(ORIGINS[random.nextInt(ORIGINS.length)]).append("\r\n");
        }
        if (random.nextInt(12) == 0) {
            headers.append("X-Forwarded-For: ").append(fuzzValue().replace("\r", "").replace("\n", "")).append("\r\n");
        }
        if (random.nextInt(15) == 0) {
            headers.append("Cookie: mqproxy-requestId-").append(consumer).append('=').append(fuzzToken()).append("\r\n");
        }
        switch (how) {
            case 0 -> {
                return plain(kind, port, method, path + "?" + encodeQuery(params), headers.toString(),
                    method.equals("GET") ? null : "");
            }
            case 1 -> {
                String type = random.nextInt(4) == 0 ? CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]
                    : "application/x-www-form-urlencoded";
                headers.append(type.isEmpty() ? "" : "Content-Type: " + type + "\r\n");
                String query = random.nextInt(6) == 0 ? "?" + encodeQuery(java.util.Collections.singletonList(params.get(0))) : "";
                return plainBytes(kind, port, method, path + query, headers.toString(), formBody(params));
            }
            default -> {
                String type = random.nextInt(5) == 0 ? CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]
                    : "application/json";
                headers.append(type.isEmpty() ? "" : "Content-Type: " + type + "\r\n");
                return plainBytes(kind, port, method, path, headers.toString(), jsonBody(params));
            }
        }
    }

    private String encodeQuery(List<String[]> params) {
        StringBuilder q = new StringBuilder();
        for (String[] p : params) {
            if (q.length() > 0) {
                q.append(random.nextInt(20) == 0 ? ";" : "&");
            }
            q.append(encode(p[0])).append('=').append(encode(p[1]));
        }
        return q.toString();
    }

    /** Percent-encodes, then sometimes breaks it: bad escapes and broken UTF-8 go in here. */
    private String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 0x80 || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        int roll = random.nextInt(12);
        if (roll == 0) {
            out.insert(random.nextInt(out.length() + 1), BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)]);
        } else if (roll == 1) {
            out.insert(random.nextInt(out.length() + 1), BROKEN_UTF8[random.nextInt(BROKEN_UTF8.length)]);
        } else if (roll == 2) {
            out.append('+').append("%20");
        }
        return out.toString();
    }

    private byte[] formBody(List<String[]> params) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] p : params) {
            if (out.size() > 0) {
                out.writeBytes(random.nextInt(20) == 0 ? "&&".getBytes() : "&".getBytes());
            }
            out.writeBytes((encode(p[0]) + "=" + encode(p[1])).getBytes(StandardCharsets.ISO_8859_1));
        }
        if (random.nextInt(15) == 0) {
            out.write(0xC3); // raw broken UTF-8, not percent-encoded
            out.write(0x28);
        }
        return out.toByteArray();
    }

    private byte[] jsonBody(List<String[]> params) {
        int roll = random.nextInt(14);
        if (roll == 0) {
            return ("[" .repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.US_ASCII);
        }
        if (roll == 1) {
            return "{\"a\":".repeat(3000).concat("1").concat("}".repeat(3000)).getBytes(StandardCharsets.US_ASCII);
        }
        if (roll == 2) {
            return "{\"producer\": \"x\",".getBytes(StandardCharsets.US_ASCII);
        }
        if (roll == 3) {
            return new byte[] {'{', '"', 'm', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        }
        if (roll == 4) {
            return "42".getBytes(StandardCharsets.US_ASCII);
        }
        StringBuilder json = new StringBuilder("{");
        for (String[] p : params) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(jsonString(p[0])).append(':').append(jsonValue(p[1]));
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** As text mostly; sometimes the same value as another JSON type. */
    private String jsonValue(String value) {
        return switch (random.nextInt(12)) {
            case 0 -> value.matches("-?\\d{1,9}") ? value : "-123";
            case 1 -> "[" + jsonString(value) + "," + jsonString(value) + "]";
            case 2 -> "{\"v\":" + jsonString(value) + "}";
            case 3 -> random.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> "1.0e400";
            default -> jsonString(value);
        };
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private String fuzzValue() {
        return switch (random.nextInt(8)) {
            case 0, 1 -> WRONG_TYPES[random.nextInt(WRONG_TYPES.length)];
            case 2 -> "x".repeat(random.nextInt(3) == 0 ? 200 + random.nextInt(2000) : 1 + random.nextInt(200));
            case 3 -> "\u0001\u0002" + fuzzToken();
            case 4 -> "é中文\uD83D\uDE00" + fuzzToken();
            case 5 -> "a b/c?d#e&f=g%h";
            case 6 -> "\r\n" + fuzzToken();
            default -> fuzzToken();
        };
    }

    private String fuzzToken() {
        String alphabet = "abcXYZ019_-%|.";
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private Probe plain(String kind, Port port, String method, String target, String headers, String body) {
        return plainBytes(kind, port, method, target, headers,
            body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private Probe plainBytes(String kind, Port port, String method, String target, String headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = method + " " + target + " HTTP/1.1\r\nHost: fuzz\r\n" + headers
            + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        return new Probe(index, kind, port, method, path, out.toByteArray(), false, false);
    }
}
