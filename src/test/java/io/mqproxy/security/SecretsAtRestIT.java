package io.mqproxy.security;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.mqproxy.push.PushSignature;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WebhookReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 5, from outside: a proxy in embedded mode is given every kind of secret there is (an
 * operator's token, a data credential in the file and one issued at run time, a push webhook's secret set at
 * run time, an alert webhook's secret), each is used, and then none of them is in any file of the data folder
 * (the name server's KV file, the commit log with the audit records, the stores), in RocketMQ's log (which
 * logs every KV write: the push secret was there in clear), or in any line the proxy logged.
 *
 * <p>The embedded broker's secret key (ACL 2.0, on by default) and the requestId secret are searched for too:
 * the proxy keeps each in an owner-only file of the data folder on purpose ({@code broker-admin.keys},
 * {@code requestid.secret}), so those two files, and only they, are left out of the search.
 */
class SecretsAtRestIT {
    private static final Duration READY = Duration.ofSeconds(60);
    private static final String KEYS_FILE = "broker-admin.keys";
    private static final String REQUEST_ID_SECRET_FILE = "requestid.secret";
    private static final Set<String> KEPT_ON_PURPOSE = Set.of(KEYS_FILE, REQUEST_ID_SECRET_FILE);
    private static final Duration ALERT = Duration.ofSeconds(60);
    /** RocketMQ's log line of the name server's KV write that set the push. */
    private static final Pattern PUSH_ENTRY_WRITTEN =
        Pattern.compile("consumer\\.secret-pushed[^\n]*\"push\":\\{\"url\"");

    private static String distinct(String kind) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        return kind + "-" + HexFormat.of().formatHex(random);
    }

    @Test
    void noSecret_isWrittenToAnyFileOrLog() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        String operatorToken = distinct("operator-token");
        String fileCredential = distinct("file-credential");
        String pushSecret = distinct("push-secret");
        String alertSecret = distinct("alert-secret");
        secrets.put("operator token", operatorToken);
        secrets.put("credential of the file", fileCredential);
        secrets.put("push secret", pushSecret);
        secrets.put("alert webhook secret", alertSecret);

        Path data = Files.createTempDirectory("mqproxy-secrets");
        Set<Path> searched = new LinkedHashSet<>(List.of(data));
        // RocketMQ's log goes where the first broker of this JVM pointed it: the shared test broker's, or ours.
        String rocketLogsBefore = System.getProperty("mqproxy.rocketmqLogDir");
        List<String> logLines;
        try (LogCapture logs = LogCapture.attach(Level.INFO);
             WebhookReceiver alerts = new WebhookReceiver();
             PushReceiver pushes = new PushReceiver();
             TestProxy proxy = TestProxy.builder().embedded(data)
                 .operator("alice", operatorToken)
                 .producer("secret-p", "secret-topic")
                 .consumer("secret-pushed", "secret-topic", Map.of("pop", true))
                 .consumer("secret-idle", "secret-topic", Map.of("pop", true))
                 .credential("file-credential", fileCredential, List.of("secret-p"), List.of("secret-idle"))
                 .set("security.requireCredentials", "true")
                 .set("monitor.intervalSeconds", "1")
                 .monitor("webhooks", List.of(Map.of("url", alerts.url("/alert"), "secret", alertSecret)))
                 .start()) {
            ProxyClient client = proxy.client();
            await().atMost(READY).until(() -> client.get(client.producePort(), "/ready").httpStatus() == 200);
            secrets.put("embedded broker's secret key", keyFileValue(data.resolve(KEYS_FILE), "secretKey"));
            secrets.put("requestId secret", Files.readString(data.resolve(REQUEST_ID_SECRET_FILE)).trim());

            // A credential issued at run time: its secret is answered once.
            Reply issued = client.admin("POST", "/admin/credentials", operatorToken,
                "{\"id\":\"runtime-credential\",\"producers\":[\"secret-p\"],\"consumers\":[\"secret-idle\"]}");
            assertThat(issued.httpStatus()).as(issued.raw().body()).isEqualTo(200);
            String runtimeCredential = issued.result().path("secret").asText();
            assertThat(runtimeCredential).hasSizeGreaterThan(30);
            secrets.put("credential issued at run time", runtimeCredential);
            assertThat(produce(client, fileCredential, "by the file's credential")).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> produce(client, runtimeCredential, "by run time's") == 200);

            // A push webhook set at run time, used (its requests are signed with it), changed around, removed.
            Reply set = client.admin("PUT", "/admin/groups/secret-pushed/push", operatorToken,
                "{\"url\":\"" + pushes.url("/hook") + "\",\"secret\":\"" + pushSecret + "\"}");
            assertThat(set.httpStatus()).as(set.raw().body()).isEqualTo(200);
            assertThat(produce(client, fileCredential, "pushed")).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> !pushes.received().isEmpty());
            PushReceiver.Received pushed = pushes.received().get(0);
            assertThat(PushSignature.verify(pushSecret, pushed.header(PushSignature.HEADER), pushed.body(),
                System.currentTimeMillis() / 1000, 300)).as("signed with the push secret").isTrue();
            Reply patched = client.admin("PATCH", "/admin/groups/secret-pushed", operatorToken, "{\"rateLimit\":500}");
            assertThat(patched.httpStatus()).as(patched.raw().body()).isEqualTo(200);

            // An alert fires to the webhook of the file, signed with its secret.
            Reply rule = client.admin("PUT", "/admin/alerts/groups/secret-idle", operatorToken, "{\"backlog\":1}");
            assertThat(rule.httpStatus()).as(rule.raw().body()).isEqualTo(200);
            assertThat(produce(client, fileCredential, "backlog")).isEqualTo(200);
            await().atMost(ALERT).until(() -> !alerts.at("/alert", "firing", "secret-idle").isEmpty());
            assertThat(alerts.at("/alert", "firing", "secret-idle").get(0).header("X-MQProxy-Signature"))
                .startsWith("sha256=");

            assertThat(client.admin("DELETE", "/admin/groups/secret-pushed/push", operatorToken, null).httpStatus())
                .isEqualTo(200);
            // Wrong tokens and credentials are logged as refusals, never echoed.
            assertThat(client.admin("GET", "/admin/groups", operatorToken + "x", null).httpStatus()).isEqualTo(401);
            assertThat(produce(client, fileCredential + "x", "refused")).isEqualTo(401);

            // The KV writes of the push reached RocketMQ's log (else this test would search the wrong place).
            addIfSet(searched, rocketLogsBefore);
            addIfSet(searched, System.getProperty("mqproxy.rocketmqLogDir"));
            await().atMost(Duration.ofSeconds(30)).until(() -> anyFileMatches(searched, PUSH_ENTRY_WRITTEN)
                || openRocketMqLogs().stream().anyMatch(f -> PUSH_ENTRY_WRITTEN.matcher(read(f)).find()));
            logLines = logs.all();
        }

        List<String> found = new ArrayList<>();
        Set<Path> files = new LinkedHashSet<>(); // the log folder may lie inside the data folder
        searched.forEach(root -> files(root).forEach(f -> files.add(f.toAbsolutePath().normalize())));
        files.addAll(openRocketMqLogs());
        for (Path file : files) {
            String text = read(file);
            secrets.forEach((kind, secret) -> {
                if (text.contains(secret)) {
                    found.add(kind + " in " + file);
                }
            });
        }
        for (String line : logLines) {
            secrets.forEach((kind, secret) -> {
                if (line.contains(secret)) {
                    found.add(kind + " in the log line " + line);
                }
            });
        }
        assertThat(files).as("files searched").hasSizeGreaterThan(10);
        assertThat(found).isEmpty();
        deleteQuietly(data);
    }

    private static int produce(ProxyClient c, String secret, String body) {
        return c.send(HttpRequest.newBuilder(c.uri(c.producePort(), "/mq/produce"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Bearer " + secret)
            .POST(HttpRequest.BodyPublishers.ofString(ProxyClient.encode(form("producer", "secret-p", "message",
                body))))).status();
    }

    /**
     * RocketMQ's log file as this process has it open. Its logging is set up once per JVM, in the folder of the
     * first broker started: in a whole test run that may be another test's folder, deleted since, where the
     * file lives on unlinked. {@code /proc/self/fd/N} still reads it.
     */
    private static List<Path> openRocketMqLogs() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.contains("rocketmq") && (target.endsWith(".log") || target.endsWith(".log (deleted)"));
                } catch (IOException | UnsupportedOperationException gone) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addIfSet(Set<Path> into, String dir) {
        if (dir != null && Files.isDirectory(Path.of(dir))) {
            into.add(Path.of(dir));
        }
    }

    private static boolean anyFileMatches(Set<Path> roots, Pattern pattern) {
        for (Path root : roots) {
            for (Path file : files(root)) {
                if (pattern.matcher(read(file)).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code name=value} from the embedded broker's key file. */
    private static String keyFileValue(Path file, String name) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(name + "="))
            .map(l -> l.substring(name.length() + 1).trim()).findFirst()
            .orElseThrow(() -> new AssertionError(name + " not in " + file));
    }

    /** Every regular file under {@code root}, but the two that keep a secret on purpose (owner-only). */
    private static List<Path> files(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                .filter(p -> !KEPT_ON_PURPOSE.contains(p.getFileName().toString()))
                .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind
        }
    }

    /** The file's bytes as Latin-1 (any byte sequence, one char each); gzip'd logs unpacked. */
    private static String read(Path file) {
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                }
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException gone) {
            return ""; // a file rolled over or deleted while searched
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
