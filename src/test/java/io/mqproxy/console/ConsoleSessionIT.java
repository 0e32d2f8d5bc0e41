package io.mqproxy.console;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's door, over plain HTTP: without a session every console route and every control call the
 * page makes is refused; a login takes only an operator's token and gives an HTTP-only, same-site cookie;
 * a change made with the cookie needs the session's CSRF token and is audited under the session's
 * operator; a logout ends the session. Also the two routes the console adds for its debug tools.
 */
class ConsoleSessionIT {
    private static final String TOKEN = "alice-console-token-0123456789";
    private static final String GROUP = "console-door";
    private static String topic;
    private static TestProxy proxy;
    private static ProxyClient client;

    /** Every control call the console's pages make (method, path), as app code names them. */
    private static final List<String[]> CONSOLE_CALLS = List.of(
        new String[] {"GET", "/admin/groups"}, new String[] {"GET", "/admin/producers"},
        new String[] {"GET", "/admin/lag"}, new String[] {"GET", "/admin/instances"},
        new String[] {"GET", "/admin/alerts?status=firing"}, new String[] {"GET", "/admin/alerts"},
        new String[] {"GET", "/admin/alerts/rules"}, new String[] {"GET", "/admin/monitor"},
        new String[] {"GET", "/admin/alerts/groups/" + GROUP}, new String[] {"GET", "/admin/alerts?status=firing&group=" + GROUP},
        new String[] {"PUT", "/admin/alerts/groups/" + GROUP}, new String[] {"DELETE", "/admin/alerts/groups/" + GROUP},
        new String[] {"GET", "/admin/audit?limit=100"}, new String[] {"GET", "/admin/groups/" + GROUP},
        new String[] {"GET", "/admin/groups/" + GROUP + "/lag"}, new String[] {"GET", "/admin/groups/" + GROUP + "/queues"},
        new String[] {"GET", "/admin/groups/" + GROUP + "/clients"}, new String[] {"GET", "/admin/groups/" + GROUP + "/dlq?limit=100"},
        new String[] {"GET", "/admin/groups/" + GROUP + "/peek?limit=10"},
        new String[] {"POST", "/admin/groups/" + GROUP + "/pause"}, new String[] {"POST", "/admin/groups/" + GROUP + "/resume"},
        new String[] {"PATCH", "/admin/groups/" + GROUP}, new String[] {"POST", "/admin/groups/" + GROUP + "/reset"},
        new String[] {"POST", "/admin/groups/" + GROUP + "/redeliver"},
        new String[] {"POST", "/admin/groups/" + GROUP + "/dlq/redrive"},
        new String[] {"POST", "/admin/topics"}, new String[] {"POST", "/admin/producers"}, new String[] {"POST", "/admin/groups"},
        new String[] {"DELETE", "/admin/producers/nobody"}, new String[] {"DELETE", "/admin/groups/nobody"},
        new String[] {"POST", "/admin/producers/console-door-p/test-message"},
        new String[] {"GET", "/console/api/session"}, new String[] {"POST", "/console/api/logout"});

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("console-door", 2);
        proxy = TestProxy.builder()
            .producer("console-door-p", topic)
            .consumer(GROUP, topic, Map.of("pop", true))
            .operator("alice", TOKEN)
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static Reply call(String method, String path, String cookie, String csrf, String json) {
        HttpRequest.Builder r = HttpRequest.newBuilder(client.uri(client.adminPort(), path))
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("Content-Type", "application/json");
        }
        if (cookie != null) {
            r.header("Cookie", ConsoleSessions.COOKIE + "=" + cookie);
        }
        if (csrf != null) {
            r.header(ConsoleSessions.CSRF_HEADER, csrf);
        }
        return client.send(r);
    }

    /** A session: its cookie's value and its CSRF token. */
    private record Session(String cookie, String csrf, String setCookie) {
    }

    private static Session login() {
        Reply r = call("POST", "/console/api/login", null, null, "{\"token\":\"" + TOKEN + "\"}");
        assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        return new Session(value, r.result().path("csrfToken").asText(), setCookie);
    }

    @Test
    void withoutASession_everyConsoleRouteAndEveryCallThePageMakes_isRefused() {
        for (String page : List.of("/console/", "/console/index.html", "/console")) {
            Reply r = call("GET", page, null, null, null);
            assertThat(r.httpStatus()).as(page).isEqualTo(303);
            assertThat(r.raw().headers().firstValue("Location")).as(page).hasValueSatisfying(l ->
                assertThat(l).startsWith("/console/"));
        }
        for (String asset : List.of("app.js", "api.js", "pages.js", "messages.js", "ui.js", "chart.js", "no-such-file",
            "api/nothing")) {
            Reply r = call("GET", "/console/" + asset, null, null, null);
            assertThat(r.httpStatus()).as(asset).isEqualTo(401);
            assertThat(r.message()).as(asset).contains("/console/login");
        }
        List<String> served = new ArrayList<>();
        for (String cookie : new String[] {null, "forged-session-id"}) {
            for (String[] c : CONSOLE_CALLS) {
                Reply r = call(c[0], c[1], cookie, "any-csrf", c[0].equals("GET") ? null : "{}");
                if (r.httpStatus() != 401) {
                    served.add(c[0] + " " + c[1] + " (cookie " + cookie + "): " + r.httpStatus());
                }
            }
        }
        assertThat(served).as("calls not refused without a session").isEmpty();
        // The login page and what it loads are the only open ones.
        for (String open : List.of("login", "login.js", "console.css", "favicon.svg")) {
            assertThat(call("GET", "/console/" + open, null, null, null).httpStatus()).as(open).isEqualTo(200);
        }
    }

    @Test
    void login_refusesAWrongToken_andAFormPost_andGivesAnHttpOnlySameSiteCookieForTheRightOne() {
        Reply wrong = call("POST", "/console/api/login", null, null, "{\"token\":\"not-" + TOKEN + "\"}");
        assertThat(wrong.httpStatus()).isEqualTo(401);
        assertThat(wrong.message()).isEqualTo("token: not an operator's token");
        assertThat(wrong.raw().headers().firstValue("Set-Cookie")).isEmpty();
        Reply form = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), "/console/api/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN)));
        assertThat(form.httpStatus()).as("a form post (what another site can send) logs nobody in").isEqualTo(400);
        assertThat(form.raw().headers().firstValue("Set-Cookie")).isEmpty();

        Session s = login();
        assertThat(s.setCookie()).containsIgnoringCase("; HttpOnly").contains("SameSite=Strict").contains("Path=/")
            .doesNotContainIgnoringCase("Secure").doesNotContain("Max-Age");
        assertThat(s.csrf()).hasSizeGreaterThan(30);
        Reply page = call("GET", "/console/", s.cookie(), null, null);
        assertThat(page.httpStatus()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
        Reply groups = call("GET", "/admin/groups", s.cookie(), null, null);
        assertThat(groups.httpStatus()).as(groups.raw().body()).isEqualTo(200);
        Reply session = call("GET", "/console/api/session", s.cookie(), null, null);
        assertThat(session.result().path("operator").asText()).isEqualTo("alice");
        assertThat(session.result().path("csrfToken").asText()).isEqualTo(s.csrf());
        // Logged in, the login page sends the operator on.
        assertThat(call("GET", "/console/login", s.cookie(), null, null).httpStatus()).isEqualTo(303);
    }

    @Test
    void aChangeWithTheCookie_needsTheSessionsCsrfToken_andIsAuditedUnderItsOperator() {
        Session s = login();
        for (String csrf : new String[] {null, "", "wrong-token", login().csrf()}) {
            Reply refused = call("POST", "/admin/groups/" + GROUP + "/pause", s.cookie(), csrf, null);
            assertThat(refused.httpStatus()).as("csrf %s", csrf).isEqualTo(403);
            assertThat(refused.message()).startsWith(ConsoleSessions.CSRF_HEADER + ":");
        }
        assertThat(call("GET", "/admin/groups/" + GROUP, s.cookie(), null, null).result().path("group")
            .path("paused").asBoolean()).as("nothing changed").isFalse();

        Reply paused = call("POST", "/admin/groups/" + GROUP + "/pause", s.cookie(), s.csrf(), null);
        assertThat(paused.httpStatus()).as(paused.raw().body()).isEqualTo(200);
        assertThat(paused.result().path("paused").asBoolean()).isTrue();
        Reply resumed = call("POST", "/admin/groups/" + GROUP + "/resume", s.cookie(), s.csrf(), null);
        assertThat(resumed.result().path("paused").asBoolean()).isFalse();

        JsonNode audit = call("GET", "/admin/audit?target=" + GROUP + "&limit=10", s.cookie(), null, null).result();
        List<String> seen = new ArrayList<>();
        audit.forEach(a -> seen.add(a.path("operator").asText() + " " + a.path("action").asText() + " "
            + a.path("after").path("paused").asText()));
        assertThat(seen).contains("alice pause true", "alice resume false");
        // Bearer tokens keep working as before, without any CSRF token.
        assertThat(client.admin("POST", "/admin/groups/" + GROUP + "/resume", TOKEN, null).httpStatus()).isEqualTo(200);
    }

    @Test
    void logout_needsTheCsrfToken_andEndsTheSessionForGood() {
        Session s = login();
        assertThat(call("POST", "/console/api/logout", s.cookie(), null, null).httpStatus()).isEqualTo(403);
        Reply out = call("POST", "/console/api/logout", s.cookie(), s.csrf(), null);
        assertThat(out.httpStatus()).isEqualTo(200);
        assertThat(out.raw().headers().firstValue("Set-Cookie")).hasValueSatisfying(c ->
            assertThat(c).startsWith(ConsoleSessions.COOKIE + "=;").contains("Max-Age=0"));
        assertThat(call("GET", "/admin/groups", s.cookie(), null, null).httpStatus()).isEqualTo(401);
        assertThat(call("GET", "/console/", s.cookie(), null, null).httpStatus()).isEqualTo(303);
        assertThat(call("POST", "/admin/groups/" + GROUP + "/pause", s.cookie(), s.csrf(), null).httpStatus())
            .isEqualTo(401);
    }

    @Test
    void files_comeWithTheirTypes_aStrictPolicy_andRevalidate() {
        Session s = login();
        Reply js = call("GET", "/console/app.js", s.cookie(), null, null);
        assertThat(js.httpStatus()).isEqualTo(200);
        assertThat(js.raw().headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.raw().headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        String csp = js.raw().headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'",
            "frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("http");
        String etag = js.raw().headers().firstValue("ETag").orElseThrow();
        Reply again = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), "/console/app.js"))
            .header("Cookie", ConsoleSessions.COOKIE + "=" + s.cookie()).header("If-None-Match", etag).GET());
        assertThat(again.httpStatus()).isEqualTo(304);
        assertThat(call("GET", "/console/console.css", null, null, null).raw().headers().firstValue("Content-Type"))
            .hasValue("text/css; charset=utf-8");
        // Nothing the page loads names another host (SVG's namespace is a name, not a load).
        for (String file : List.of("index.html", "login.html", "app.js", "api.js", "pages.js", "messages.js", "ui.js",
            "chart.js", "login.js", "console.css")) {
            String text = call("GET", "/console/" + file, s.cookie(), null, null).raw().body();
            List<String> urls = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(https?:)?//[A-Za-z0-9.-]+\\.[a-z]{2,}[^'\"\\s)]*")
                .matcher(text);
            while (m.find()) {
                urls.add(m.group());
            }
            assertThat(urls).as(file).allMatch(u -> u.equals("http://www.w3.org/2000/svg"));
        }
    }

    @Test
    void aTestMessage_isProducedAndAudited_andPeekShowsTheNextMessages_withoutReservingThem() {
        Reply sent = client.admin("POST", "/admin/producers/console-door-p/test-message", TOKEN,
            "{\"message\":\"from the console\",\"keys\":\"k1\"}");
        assertThat(sent.httpStatus()).as(sent.raw().body()).isEqualTo(200);
        String msgId = sent.result().path("msgId").asText();
        JsonNode audit = client.admin("GET", "/admin/audit?target=console-door-p&limit=5", TOKEN, null).result();
        assertThat(audit.get(0).path("action").asText()).isEqualTo("test-message");
        assertThat(audit.get(0).path("operator").asText()).isEqualTo("alice");

        for (int i = 0; i < 2; i++) {
            Reply peek = client.admin("GET", "/admin/groups/" + GROUP + "/peek?limit=10", TOKEN, null);
            assertThat(peek.httpStatus()).as(peek.raw().body()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            peek.result().forEach(m -> ids.add(m.path("messageId").asText()));
            assertThat(ids).as("peek %d", i).contains(msgId);
        }
        // Not reserved: the group's consumer gets it at once.
        Consumer c = new Consumer(client, topic, GROUP).with("pullTimeout", "2");
        List<String> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            got.addAll(Consumer.bodies(c.poll()));
            return got.contains("from the console");
        });
        Reply unknown = client.admin("POST", "/admin/producers/nobody/test-message", TOKEN, "{\"message\":\"x\"}");
        assertThat(unknown.httpStatus()).isEqualTo(404);
        Reply empty = client.admin("POST", "/admin/producers/console-door-p/test-message", TOKEN, "{}");
        assertThat(empty.httpStatus()).isEqualTo(400);
        assertThat(empty.message()).startsWith("message:");
        assertThat(client.produce(form("producer", "console-door-p", "message", "plain")).status()).isEqualTo(200);
    }
}
