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
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operations console end to end, in a real browser (Debian's headless Chromium through its
 * chromedriver) against a proxy on the embedded test broker: a wrong token is refused and the right one
 * logs in; a group's backlog shows after producing; pausing from the page makes polls answer PAUSED and
 * resuming lets them through; a reset to earliest brings the backlog back; a dead letter is redriven;
 * each action is in the audit page under the operator. Also a server validation message next to its
 * field, the debug tools, a phone-sized screen and dark mode; a group's header words (state apart from
 * its source, "from the config file" only for what the file gives), its alert rules set and cleared
 * from its page, and layout (the audit's Change column inside its panel, peek at full width, the
 * overview's Backlog in view on a phone, a group's filter set and cleared from its page, no redrive buttons for a queue-held group). Every page is saved as a screenshot under
 * target/console-screenshots/ for a reviewer; at the end every URL the page fetched is asked again
 * without the session, and refused.
 */
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final String TOKEN = "alice-browser-token-0123456789";
    private static final Duration LONG = Duration.ofSeconds(90);
    private static final int N = 6;

    private ChromeDriver browser;
    private ProxyClient client;
    private String base;
    private int shot;
    private String firstOrderId;

    @Test
    void anOperatorRunsTheConsole_fromLoginToLogout() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; ./test.sh does)").exists();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
        String mainTopic = TestBroker.get().newTopic("console-main", 2);
        String dlqTopic = TestBroker.get().newTopic("console-dlq", 1);
        TestProxy.Builder builder = TestProxy.builder()
            .operator("alice", TOKEN)
            .set("monitor.intervalSeconds", "1")
            .producer("orders-producer", mainTopic)
            .producer("payments-producer", dlqTopic)
            .consumer("orders", mainTopic, Map.of("pop", true, "consumeTimeoutSeconds", 60))
            .consumer("notifications", mainTopic, Map.of("mode", "broadcast"))
            .consumer("payments", dlqTopic, Map.of("pop", true, "consumeTimeoutSeconds", 1,
                "minConsumeTimeoutSeconds", 1, "maxRetries", 0))
            .monitor("groupRules", List.of(Map.of("group", "payments", "stuckSeconds", 86_400)));
        Files.createDirectories(SHOTS);
        Path profile = Files.createTempDirectory("chromium-profile");
        try (TestProxy proxy = builder.start()) {
            client = proxy.client();
            base = "http://127.0.0.1:" + client.adminPort();
            ok(client.admin("PUT", "/admin/alerts/groups/orders", TOKEN, "{\"backlog\":3}"));
            await("this instance collects lag").atMost(LONG).until(() -> {
                JsonNode lag = client.admin("GET", "/admin/lag", TOKEN, null).result();
                return lag.path("collecting").asBoolean() && lag.path("groups").has("orders");
            });
            browser = start(profile);
            String sessionCookie = logIn();
            overviewShowsTheBacklog();
            pauseResumeAndReset(mainTopic);
            groupWordsAndAlertRules();
            groupFilterSetAndCleared();
            redriveADeadLetter(dlqTopic);
            findAMessage(dlqTopic);
            broadcastClientIds(mainTopic);
            auditShowsEveryAction();
            registryShowsServerMessagesByTheirField();
            alertsAndTryIt();
            phoneAndDarkMode();
            everyCallThePageMade_isRefusedWithoutTheSession();
            logOut(sessionCookie);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            deleteQuietly(profile.toFile());
        }
    }

    @Test
    void theOverviewShowsAProducersSchema_setAtRunTime() throws Exception {
        String topic = TestBroker.get().newTopic("console-schema", 1);
        Files.createDirectories(SHOTS);
        Path profile = Files.createTempDirectory("chromium-profile");
        try (TestProxy proxy = TestProxy.builder().operator("alice", TOKEN)
            .producer("schemaless-producer", topic).producer("schema-producer", topic).start()) {
            client = proxy.client();
            base = "http://127.0.0.1:" + client.adminPort();
            // a description with markup: the page shows it as text, never as HTML
            ok(client.admin("PUT", "/admin/producers/schema-producer/schema", TOKEN, "{\"schema\":{\"type\":\"object\","
                + "\"required\":[\"order\"],\"description\":\"<b id='injected'>bold</b>\"}}"));
            browser = start(profile);
            logIn();
            By plain = By.xpath("//tr[td[1][normalize-space()='schemaless-producer']]/td[4]");
            By orders = By.xpath("//tr[td[1][normalize-space()='schema-producer']]/td[4]");
            awaitText("a producer without a schema", plain, "none");
            awaitContains("where the schema comes from", orders, "set at run time");
            assertThat(browser.findElement(orders).findElement(By.tagName("pre")).isDisplayed()).isFalse();
            browser.findElement(orders).findElement(By.tagName("button")).click();
            WebElement schema = browser.findElement(orders).findElement(By.tagName("pre"));
            assertThat(schema.isDisplayed()).isTrue();
            assertThat(schema.getText()).contains("\"required\": [", "\"order\"", "<b id='injected'>bold</b>");
            assertThat(browser.findElements(By.id("injected"))).as("escaped").isEmpty();
            screenshot("overview-producer-schema");
            // run-time entries live at the shared broker: leave none behind for the other tests
            ok(client.admin("DELETE", "/admin/producers/schema-producer/schema", TOKEN, null));
        } finally {
            if (browser != null) {
                browser.quit();
            }
            deleteQuietly(profile.toFile());
        }
    }

    private static ChromeDriver start(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic", "--user-data-dir=" + profile, "--window-size=1366,900", "--lang=en-US");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    // ---- the scenario, step by step

    private String logIn() throws Exception {
        browser.get(base + "/console/");
        awaitTrue("sent to the login page", () -> browser.getCurrentUrl().endsWith("/console/login"));
        screenshot("login");
        browser.findElement(By.id("token")).sendKeys("not-the-token-0123456789");
        browser.findElement(By.id("login-button")).click();
        awaitText("the refusal", By.id("login-error"), "Refused: token: not an operator's token");
        assertThat(browser.manage().getCookies()).isEmpty();
        screenshot("login-refused");

        WebElement token = browser.findElement(By.id("token"));
        token.clear();
        token.sendKeys(TOKEN);
        browser.findElement(By.id("login-button")).click();
        awaitTrue("the console opens", () -> browser.getCurrentUrl().endsWith("/console/"));
        awaitText("the operator", By.id("operator"), "alice");
        Cookie cookie = browser.manage().getCookieNamed(ConsoleSessions.COOKIE);
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(browser.executeScript("return document.cookie")).as("the script never sees the session")
            .isEqualTo("");
        browser.executeScript("performance.setResourceTimingBufferSize(10000)");
        return cookie.getValue();
    }

    private void overviewShowsTheBacklog() throws Exception {
        for (int i = 0; i < N; i++) {
            String id = produce("orders-producer", "{\"order\":" + i + "}");
            firstOrderId = firstOrderId == null ? id : firstOrderId;
        }
        By backlog = By.cssSelector("tr[data-key='orders'] td:nth-child(5)");
        awaitText("the overview's backlog of orders", backlog, Integer.toString(N));
        awaitText("the backlog alert", By.cssSelector(".stat.bad .value"), "1");
        screenshot("overview");
    }

    private void pauseResumeAndReset(String topic) throws Exception {
        open("#/group/orders");
        awaitText("the group's backlog", stat(1), Integer.toString(N));
        assertThat(browser.findElement(By.cssSelector("#nav a[aria-current='page']")).getText())
            .as("the navigation marks the page you are on").isEqualTo("Overview");
        // Pausing asks first, as reset and redrive do (issue 22).
        click(By.id("pause-toggle"));
        awaitTrue("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-title")).getText()).isEqualTo("Pause orders?");
        screenshot("pause-confirmation");
        click(By.id("confirm-ok"));
        awaitContains("feedback", By.id("toasts"), "Paused orders");
        awaitText("the button now resumes", By.id("pause-toggle"), "Resume");
        Consumer consumer = new Consumer(client, topic, "orders").with("pullTimeout", "1");
        assertThat(consumer.poll().result().path("status").asText()).isEqualTo("PAUSED");
        screenshot("group-paused");

        click(By.id("pause-toggle"));
        awaitContains("feedback", By.id("toasts"), "Resumed orders");
        List<String> got = new ArrayList<>();
        await().atMost(LONG).until(() -> {
            got.addAll(Consumer.bodies(consumer.poll()));
            return got.size() >= N;
        });
        consumer.poll(); // acks the last batch
        awaitText("the backlog is consumed", stat(1), "0");

        // A date and time from the picker: the confirmation names it; cancelled, nothing changes.
        click(By.cssSelector("#reset-form input[value='time']"));
        browser.executeScript("arguments[0].value = '2026-01-02T03:04:05'",
            awaitElement(By.cssSelector("#reset-form input[name='to']")));
        resetConfirmationSays("from the first message stored at or after", "earlier messages are skipped");
        screenshot("reset-time-confirmation");
        click(By.cssSelector("#confirm button[value='cancel']"));
        awaitContains("feedback", By.id("toasts"), "Reset cancelled: nothing changed.");
        browser.executeScript("arguments[0].value = ''", browser.findElement(By.cssSelector("#reset-form input[name='to']")));
        click(By.cssSelector("#reset-form input[value='earliest']"));

        // "Earliest": the confirmation says what will happen before anything does.
        resetConfirmationSays("again from the first message still stored", "pending retries are dropped");
        screenshot("reset-confirmation");
        click(By.id("confirm-ok"));
        awaitContains("feedback", By.id("toasts"), "Offsets of orders reset to earliest");
        awaitText("the backlog comes back", stat(1), Integer.toString(N));

        // An id the topic does not have: the server's message, in the form.
        setValue(By.cssSelector("#redeliver-form input[name='messageId']"), "nope-not-an-id");
        click(By.cssSelector("#redeliver-form button[type='submit']"));
        awaitContains("the server's refusal", By.cssSelector("#redeliver-form .field-error"),
            "message 'nope-not-an-id' in topic '" + topic + "' does not exist");

        // One message again, by id: it waits as a retry, on top of the backlog.
        setValue(By.cssSelector("#redeliver-form input[name='messageId']"), firstOrderId);
        click(By.cssSelector("#redeliver-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Re-delivered " + firstOrderId + " to 1 consumer(s)");
        awaitText("the re-delivered message waits as a retry", stat(3), "1");
        awaitText("and counts in the backlog", stat(1), Integer.toString(N + 1));
        awaitTrue("a chart of the samples", () -> !browser.findElements(By.cssSelector(".chart svg polyline.backlog-line"))
            .isEmpty());
        screenshot("group");
    }

    /**
     * Issue 22: the header says state and where it comes from apart, a setting is "from the config file" only
     * when the file gives it; the group's alert rules are shown with their sources and set and cleared there.
     */
    private void groupWordsAndAlertRules() throws Exception {
        // orders was paused and resumed above; its file entry gives consumeTimeoutSeconds and nothing else.
        awaitContains("the state, apart from its source", By.id("group-state"), "active (resumed at run time)");
        assertThat(browser.findElement(By.cssSelector("#main h1")).getText()).contains("active").doesNotContain("paused");
        assertThat(browser.findElement(By.id("group-state")).getText()).contains("Rate limit: none (default)");
        assertThat(settingSource("consumeTimeoutSeconds")).isEqualTo("from the config file");
        assertThat(settingSource("maxPullSize")).as("the file does not name it").isEqualTo("default");
        setValue(By.cssSelector("#settings-form input[name='pullTimeoutSeconds']"), "1");
        click(By.cssSelector("#settings-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Saved: pullTimeoutSeconds = 1");
        awaitTrue("a run-time setting says so", () -> settingSource("pullTimeoutSeconds").equals("changed at run time"));
        assertThat(settingSource("consumeTimeoutSeconds")).isEqualTo("from the config file");

        open("#/group/payments");
        awaitContains("never paused", By.id("group-state"), "active (default: never paused)");
        assertThat(settingSource("maxRetries")).isEqualTo("from the config file");
        assertThat(settingSource("pullTimeoutSeconds")).isEqualTo("default");

        // The rules in force, each with its source: the file's groupRules entry, the defaults.
        awaitText("the file's stuck rule", alertSource("stuckSeconds"), "from the config file");
        assertThat(browser.findElement(alertSource("oldestAgeSeconds")).getText()).isEqualTo("default");
        // A value the API refuses: its message next to the field, and nothing set.
        setValue(By.cssSelector("#alert-rules-form input[name='oldestAgeSeconds']"), "3600");
        setValue(By.cssSelector("#alert-rules-form input[name='deadLettersWindowSeconds']"), "0");
        click(By.cssSelector("#alert-rules-form button[type='submit']"));
        WebElement error = awaitElement(By.cssSelector("#alert-rules-form .field-error"));
        assertThat(error.getText()).startsWith("deadLettersWindowSeconds: must be 1..");
        assertThat(error.findElement(By.xpath("..")).findElement(By.cssSelector("input")).getAttribute("name"))
            .as("shown in its field").isEqualTo("deadLettersWindowSeconds");
        screenshot("alert-rule-refused");
        assertThat(alertRulesOfPayments().path("sources").path("oldestAgeSeconds").asText()).isEqualTo("config");

        browser.findElement(By.cssSelector("#alert-rules-form input[name='deadLettersWindowSeconds']")).clear();
        click(By.cssSelector("#alert-rules-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Alert rules of payments set: oldestAgeSeconds = 3600");
        awaitText("in force, set at run time", alertSource("oldestAgeSeconds"), "set at run time");
        JsonNode set = alertRulesOfPayments();
        assertThat(set.path("rules").path("oldestAgeSeconds").asLong()).isEqualTo(3600);
        assertThat(set.path("sources").path("oldestAgeSeconds").asText()).isEqualTo("group runtime");
        assertThat(browser.findElement(By.cssSelector("#alert-rules-form input[name='oldestAgeSeconds']"))
            .getAttribute("value")).as("the run-time entry, to change").isEqualTo("3600");
        screenshot("group-alert-rules");

        click(By.id("alert-rules-clear"));
        awaitContains("feedback", By.id("toasts"), "Cleared the run-time alert rules of payments");
        awaitText("back to the default", alertSource("oldestAgeSeconds"), "default");
        assertThat(alertRulesOfPayments().path("sources").path("oldestAgeSeconds").asText()).isEqualTo("config");
        List<String> audited = new ArrayList<>();
        client.admin("GET", "/admin/audit?target=payments&limit=20", TOKEN, null).result()
            .forEach(r -> audited.add(r.path("operator").asText() + " " + r.path("action").asText()));
        assertThat(audited).contains("alice set-alert-rules", "alice remove-alert-rules");
        open("#/"); // the next step opens payments again: a new hash draws the page anew
    }

    /** A group's subscription filter from its page: a refused one under its field, then set, then cleared; audited. */
    private void groupFilterSetAndCleared() throws Exception {
        open("#/group/orders");
        awaitContains("no filter yet", By.id("filter-in-force"), "none: every message of the topic");
        choose(By.cssSelector("#filter-form select[name='filter.type']"), "SQL92");
        setValue(By.cssSelector("#filter-form input[name='filter.expression']"), "region = ");
        click(By.id("filter-set"));
        WebElement error = awaitElement(By.cssSelector("#filter-form .field-error"));
        assertThat(error.getText()).startsWith("filter.expression: ");
        assertThat(error.findElement(By.xpath("..")).findElement(By.cssSelector("input")).getAttribute("name"))
            .as("shown in its field").isEqualTo("filter.expression");
        assertThat(ok(client.admin("GET", "/admin/groups/orders", TOKEN, null)).result().path("group").has("filter"))
            .as("nothing set").isFalse();

        choose(By.cssSelector("#filter-form select[name='filter.type']"), "TAG");
        setValue(By.cssSelector("#filter-form input[name='filter.expression']"), "paid || refunded");
        click(By.id("filter-set"));
        awaitContains("feedback", By.id("toasts"), "Filter of orders set: TAG paid || refunded");
        awaitContains("in force", By.id("filter-in-force"), "TAG paid || refunded changed at run time");
        JsonNode set = ok(client.admin("GET", "/admin/groups/orders", TOKEN, null)).result();
        assertThat(set.path("group").path("filter").path("expression").asText()).isEqualTo("paid || refunded");
        screenshot("group-filter");

        click(By.id("filter-clear"));
        awaitContains("feedback", By.id("toasts"), "Cleared the filter of orders");
        awaitContains("cleared", By.id("filter-in-force"), "none: every message of the topic");
        assertThat(ok(client.admin("GET", "/admin/groups/orders", TOKEN, null)).result().path("group").has("filter"))
            .isFalse();
        List<String> audited = new ArrayList<>();
        client.admin("GET", "/admin/audit?target=orders&limit=50", TOKEN, null).result()
            .forEach(r -> audited.add(r.path("operator").asText() + " " + r.path("action").asText() + " "
                + r.path("result").asText()));
        assertThat(audited.stream().filter("alice filter ok"::equals)).as(audited.toString()).hasSize(2);
        open("#/");
    }

    private String settingSource(String setting) {
        return browser.findElement(By.cssSelector("#settings-form .field:has(input[name='" + setting + "']) .source"))
            .getText();
    }

    private static By alertSource(String rule) {
        return By.cssSelector("#alert-rules span[data-rule='" + rule + "']");
    }

    private JsonNode alertRulesOfPayments() {
        return ok(client.admin("GET", "/admin/alerts/groups/payments", TOKEN, null)).result();
    }

    private void redriveADeadLetter(String topic) throws Exception {
        produce("payments-producer", "{\"payment\":\"poison\"}");
        Consumer careless = new Consumer(client, topic, "payments").with("pullTimeout", "1").with("consumeTimeout", "1");
        await("dead-lettered").atMost(LONG).until(() -> {
            careless.pollWithoutAck();
            return client.admin("GET", "/admin/groups/payments/dlq", TOKEN, null).result().size() > 0;
        });
        // Redriven once at 0 retries: delivered once more (the whole budget again), then dead-lettered a second time.
        String id = client.admin("GET", "/admin/groups/payments/dlq", TOKEN, null).result().get(0).path("messageId")
            .asText();
        ok(client.admin("POST", "/admin/groups/payments/dlq/redrive", TOKEN, "{\"messageIds\":[\"" + id + "\"]}"));
        await("dead-lettered twice").atMost(LONG).until(() -> {
            careless.pollWithoutAck();
            return client.admin("GET", "/admin/groups/payments/dlq", TOKEN, null).result().size() > 1;
        });
        open("#/group/payments");
        awaitTrue("both dead letters are listed", () -> browser.findElements(By.cssSelector(
            "#main input[type=checkbox]")).size() > 1);
        awaitContains("the older one is marked", By.id("main"), "redriven by alice at");
        // One id, two rows: ticking the first counts it (it used to leave "0 selected").
        click(By.cssSelector("#main input[type=checkbox]"));
        assertThat(browser.findElement(By.id("dlq-selected-count")).getText()).isEqualTo("1 selected");
        click(By.cssSelector("#main input[type=checkbox]"));

        // A selection redrive is previewed first: how many, and which.
        setValue(By.cssSelector("#redrive-selection input[name='text']"), "poison");
        click(By.cssSelector("#redrive-selection button[type='submit']"));
        awaitContains("the preview", By.id("redrive-preview"), "1 selected");
        screenshot("redrive-selection-preview");

        // A value the server refuses: its message is shown next to the field, and nothing changes.
        setValue(By.cssSelector("#settings-form input[name='maxPullSize']"), "500");
        click(By.cssSelector("#settings-form button[type='submit']"));
        awaitContains("the server's message by its field", By.cssSelector("#settings-form .field-error"), "maxPullSize:");
        screenshot("settings-refused");
        setValue(By.cssSelector("#settings-form input[name='maxPullSize']"), "32");
        setValue(By.cssSelector("#settings-form input[name='maxRetries']"), "5");
        setValue(By.cssSelector("#settings-form input[name='minConsumeTimeoutSeconds']"), "10");
        setValue(By.cssSelector("#settings-form input[name='consumeTimeoutSeconds']"), "60");
        click(By.cssSelector("#settings-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Saved: ");
        awaitTrue("the new value and its source", () -> browser.findElement(By.cssSelector("#settings-form"))
            .getText().contains("changed at run time"));

        click(By.cssSelector("#main input[type=checkbox]"));
        click(By.id("redrive-selected"));
        awaitTrue("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-body")).getText()).contains("The 1 selected dead letter(s)");
        screenshot("redrive-confirmation");
        click(By.id("confirm-ok"));
        awaitContains("feedback", By.id("toasts"), "Redriven 1 dead letter(s) of payments");
        Consumer consumer = new Consumer(client, topic, "payments").with("pullTimeout", "2").with("consumeTimeout", "60");
        List<String> got = new ArrayList<>();
        await("the redriven message is delivered").atMost(LONG).until(() -> {
            got.addAll(Consumer.bodies(consumer.poll()));
            return got.contains("{\"payment\":\"poison\"}");
        });
        consumer.poll();
        screenshot("group-dead-letters");
    }

    /**
     * An operator's walk-through: a message produced with a key is found by that key on the Messages page,
     * with its body (whole on demand) and where it is for each group; a dead letter's row and an audit
     * record link to the same page, which runs the lookup from the address.
     */
    private void findAMessage(String topic) throws Exception {
        String body = "{\"order\":4711,\"note\":\"" + "n".repeat(5000) + "\"}";
        // Into payments' topic: the later steps count the backlog of orders.
        Reply sent = client.produce(form("producer", "payments-producer", "message", body, "keys", "order-4711",
            "tags", "big"));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        String id = sent.result().path("msgId").asText();
        open("#/");
        click(By.cssSelector("#nav a[data-page='messages']"));
        setValue(By.cssSelector("#finder-form input[name='topic']"), topic);
        setValue(By.cssSelector("#finder-form input[name='key']"), "no-such-key");
        click(By.id("finder-submit"));
        awaitContains("what was asked, and what to try", By.id("finder-results"),
            "No message with key no-such-key in topic " + topic);
        assertThat(browser.findElement(By.cssSelector("#nav a[aria-current='page']")).getText()).isEqualTo("Messages");

        setValue(By.cssSelector("#finder-form input[name='key']"), "order-4711");
        click(By.id("finder-submit"));
        // The broker indexes keys as it stores: a search right after producing may come back empty once.
        await("found by its key").atMost(LONG).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            String text = browser.findElement(By.id("finder-results")).getText();
            if (text.contains("No message with key order-4711")) {
                browser.findElement(By.id("finder-submit")).click();
            }
            return text.contains(id);
        });
        assertThat(browser.getCurrentUrl()).as("the search is in the address").contains("#/messages?", "key=order-4711");
        awaitContains("where it is for the group", By.cssSelector("#finder-results tr[data-key='payments']"),
            "NOT_DELIVERED");
        String card = browser.findElement(By.id("finder-results")).getText();
        assertThat(card).contains("order-4711", "big", "payments-producer", "127.0.0.1", "Preview: only the start");
        click(By.id("finder-whole-body"));
        awaitContains("the whole body", By.cssSelector("#finder-results pre.body"), "n".repeat(5000) + "\"}");
        screenshot("messages-by-key");

        // From a dead letter's row: the same page, looked up by id, with what happened to it in its group.
        open("#/group/payments");
        click(By.cssSelector("#main a.message-link"));
        awaitContains("the dead letter's message", By.id("finder-results"), "{\"payment\":\"poison\"}");
        awaitContains("its state in the group", By.cssSelector("#finder-results tr[data-key='payments']"), "REDRIVEN");
        String story = browser.findElement(By.cssSelector("#finder-results ol.history")).getText();
        assertThat(story).contains("Produced", "Dead-lettered", "Redriven", "by alice", "in group payments");
        assertThat(browser.getCurrentUrl()).contains("#/messages?", "id=");
        screenshot("messages-from-dead-letter");

        // From an audit record of a redrive: the same message again.
        open("#/audit?target=payments");
        click(By.cssSelector("#main a.message-link"));
        awaitContains("the redriven message", By.id("finder-results"), "{\"payment\":\"poison\"}");
    }

    private void broadcastClientIds(String topic) throws Exception {
        Consumer phone = new Consumer(client, topic, "notifications").with("clientId", "phone-1").with("pullTimeout", "2");
        await("phone-1 gets its copy").atMost(LONG).until(() -> !Consumer.bodies(phone.poll()).isEmpty());
        open("#/group/notifications");
        awaitContains("the clientId with its own backlog", By.id("main"), "phone-1");
        assertThat(browser.findElement(By.id("main")).getText()).contains("Broadcast clientIds");
        // Queue-held (pop: false): no redrive button or selection it could not use, only what to do instead.
        awaitContains("the dead letters panel", By.id("main"), "Queue-held groups cannot take single messages back");
        assertThat(browser.findElements(By.cssSelector("#redrive-selected, #redrive-all, #redrive-selection, "
            + "#main input[type=checkbox]"))).as("redrive controls of a queue-held group").isEmpty();
        screenshot("group-broadcast");
    }

    private void auditShowsEveryAction() throws Exception {
        open("#/audit?target=orders");
        awaitContains("the audit of orders", By.id("main"), "reset-offset");
        String orders = browser.findElement(By.id("main")).getText();
        assertThat(orders).contains("pause", "resume", "reset-offset", "alice").doesNotContain("change-group");
        assertThat(orders).as("what each change did").contains("paused: false → true", "paused: true → false",
            "offsets now: ", "delivered to 1 consumer(s)", "rules.backlog: 0 → 3");
        screenshot("audit");
        // The "Change" column is whole inside its panel: the table does not scroll sideways to show it.
        Map<?, ?> fit = (Map<?, ?>) browser.executeScript("const th = [...document.querySelectorAll('#main th')]"
            + ".find(t => t.textContent === 'Change'); const wrap = th.closest('.table-wrap');"
            + "return {thRight: th.getBoundingClientRect().right, panelRight: th.closest('.panel')"
            + ".getBoundingClientRect().right, scroll: wrap.scrollWidth, client: wrap.clientWidth,"
            + "columns: [...th.parentElement.children].map(c => c.textContent + ' ' + Math.round(c.getBoundingClientRect().width))}");
        assertThat(((Number) fit.get("scroll")).intValue()).as("audit table scrolls sideways: %s", fit)
            .isLessThanOrEqualTo(((Number) fit.get("client")).intValue());
        assertThat(((Number) fit.get("thRight")).doubleValue()).as("Change column's right edge: %s", fit)
            .isLessThanOrEqualTo(((Number) fit.get("panelRight")).doubleValue());
        open("#/audit?target=payments");
        awaitContains("the audit of payments", By.id("main"), "redrive");
        assertThat(browser.findElement(By.id("main")).getText()).contains("redrive", "alice",
            "1 message(s) redriven");
        JsonNode records = client.admin("GET", "/admin/audit?target=orders&limit=20", TOKEN, null).result();
        List<String> actions = new ArrayList<>();
        records.forEach(r -> actions.add(r.path("operator").asText() + " " + r.path("action").asText()));
        assertThat(actions).contains("alice reset-offset", "alice pause", "alice resume");
        List<String> payments = new ArrayList<>();
        client.admin("GET", "/admin/audit?target=payments&limit=20", TOKEN, null).result()
            .forEach(r -> payments.add(r.path("operator").asText() + " " + r.path("action").asText()));
        assertThat(payments).as("several settings at once").contains("alice set");
    }

    private void registryShowsServerMessagesByTheirField() throws Exception {
        open("#/registry");
        awaitContains("the registry", By.id("main"), "orders-producer");
        setValue(By.cssSelector("#producer-form input[name='name']"), "refunds-producer");
        setValue(By.cssSelector("#producer-form input[name='topic']"), "no-such-topic-anywhere");
        click(By.cssSelector("#producer-form button[type='submit']"));
        WebElement error = awaitElement(By.cssSelector("#producer-form .field-error"));
        assertThat(error.getText()).startsWith("topic: topic 'no-such-topic-anywhere' does not exist");
        assertThat(error.findElement(By.xpath("..")).findElement(By.cssSelector("input")).getAttribute("name"))
            .as("shown in the topic's field").isEqualTo("topic");
        String created = "console-created-" + System.nanoTime() % 100_000;
        setValue(By.cssSelector("#topic-form input[name='name']"), created);
        setValue(By.cssSelector("#topic-form input[name='queues']"), "2");
        click(By.cssSelector("#topic-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Created topic " + created);
        setValue(By.cssSelector("#producer-form input[name='topic']"), created);
        click(By.cssSelector("#producer-form button[type='submit']"));
        awaitContains("feedback", By.id("toasts"), "Registered producer refunds-producer.");
        screenshot("registry");
        By unregister = By.xpath("//tr[td[normalize-space()='refunds-producer']]//button[normalize-space()='Unregister']");
        click(unregister);
        awaitTrue("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-body")).getText()).contains("naming refunds-producer are refused");
        click(By.id("confirm-ok"));
        awaitContains("feedback", By.id("toasts"), "Unregistered producer refunds-producer.");
        awaitTrue("gone from the list", () -> browser.findElements(unregister).isEmpty());
    }

    private void alertsAndTryIt() throws Exception {
        open("#/alerts");
        awaitContains("the firing alert", By.id("main"), "firing");
        screenshot("alerts");
        open("#/try");
        awaitElement(By.cssSelector("#produce-form select[name='producer'] option"));
        choose(By.cssSelector("#produce-form select"), "orders-producer");
        setValue(By.cssSelector("#produce-form textarea[name='message']"), "{\"hello\":\"from try it\"}");
        click(By.cssSelector("#produce-form button[type='submit']"));
        awaitContains("the receipt", By.id("produce-form"), "SEND_OK");
        choose(By.cssSelector("#peek-form select"), "orders");
        click(By.cssSelector("#peek-form button[type='submit']"));
        awaitContains("the peeked message", By.id("peek-form"), "from try it");
        // The peek table has the page's width, so a message id takes a line or two, not six.
        Map<?, ?> peek = (Map<?, ?>) browser.executeScript("const t = document.querySelector('#peek-form table');"
            + "const main = document.getElementById('main'); const cs = getComputedStyle(main);"
            + "return {table: t.getBoundingClientRect().width, panel: t.closest('.panel').getBoundingClientRect().width,"
            + "page: main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),"
            + "idLines: t.querySelector('td.id a').getClientRects().length}");
        assertThat(((Number) peek.get("panel")).doubleValue()).as("peek panel against the page: %s", peek)
            .isGreaterThan(0.95 * ((Number) peek.get("page")).doubleValue());
        assertThat(((Number) peek.get("table")).doubleValue()).as("peek table against its panel: %s", peek)
            .isGreaterThan(0.9 * ((Number) peek.get("panel")).doubleValue());
        assertThat(((Number) peek.get("idLines")).intValue()).as("lines of a message id: %s", peek).isLessThanOrEqualTo(2);
        assertThat(browser.findElement(By.id("main")).getText()).contains("Debug tools", "reserves nothing");
        screenshot("try-it");
    }

    private void phoneAndDarkMode() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        open("#/");
        awaitText("the overview", By.cssSelector("tr[data-key='orders'] td:nth-child(5)"), Integer.toString(N + 2));
        assertNoSidewaysScroll("overview");
        WebElement backlogHeader = browser.findElement(By.xpath(
            "//section[h2='Consumer groups']//th[normalize-space()='Backlog']"));
        assertThat(backlogHeader.isDisplayed()).isTrue();
        Number right = (Number) browser.executeScript("return arguments[0].getBoundingClientRect().right", backlogHeader);
        Number visible = (Number) browser.executeScript("const w = arguments[0].closest('.table-wrap');"
            + "return Math.min(window.innerWidth, w.getBoundingClientRect().right)", backlogHeader);
        assertThat(right.doubleValue()).as("the Backlog column is in view on a phone, not scrolled away")
            .isLessThanOrEqualTo(visible.doubleValue());
        screenshot("phone-overview");
        open("#/group/orders");
        awaitElement(By.cssSelector(".chart svg"));
        assertNoSidewaysScroll("group");
        Number labelHeight = (Number) browser.executeScript(
            "return document.querySelector('.chart .axis-label').getBoundingClientRect().height");
        assertThat(labelHeight.doubleValue()).as("the chart's labels are not shrunk to fit a phone").isGreaterThan(10);
        screenshot("phone-group");
        browser.manage().window().setSize(new Dimension(1366, 900));
        browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
            List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        open("#/");
        open("#/group/orders");
        awaitElement(By.cssSelector(".chart svg"));
        assertThat(browser.executeScript("return getComputedStyle(document.body).backgroundColor"))
            .isEqualTo("rgb(17, 20, 24)");
        screenshot("dark-group");
        browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    private void everyCallThePageMade_isRefusedWithoutTheSession() {
        @SuppressWarnings("unchecked")
        List<String> fetched = (List<String>) browser.executeScript(
            "return performance.getEntriesByType('resource').map(e => e.name)");
        Set<String> paths = new LinkedHashSet<>();
        for (String url : fetched) {
            URI uri = URI.create(url);
            if (url.startsWith(base) && !Set.of("/console/login.js", "/console/console.css", "/console/favicon.svg")
                .contains(uri.getPath())) {
                paths.add(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            }
        }
        assertThat(paths).as("what the page fetched").anyMatch(p -> p.startsWith("/admin/groups/orders/lag"))
            .anyMatch(p -> p.startsWith("/admin/audit")).anyMatch(p -> p.startsWith("/console/app.js"));
        List<String> served = new ArrayList<>();
        for (String p : paths) {
            Reply r = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), p)).GET());
            if (r.httpStatus() != 401) {
                served.add(p + " -> " + r.httpStatus());
            }
        }
        assertThat(served).as("served without a session, of %d fetched", paths.size()).isEmpty();
    }

    private void logOut(String sessionCookie) throws Exception {
        click(By.id("logout"));
        await("back at the login, not told the session expired").atMost(LONG).until(browser::getCurrentUrl,
            url -> url.endsWith("/console/login"));
        assertThat(browser.manage().getCookieNamed(ConsoleSessions.COOKIE)).isNull();
        Reply after = client.send(HttpRequest.newBuilder(client.uri(client.adminPort(), "/admin/groups"))
            .header("Cookie", ConsoleSessions.COOKIE + "=" + sessionCookie).GET());
        assertThat(after.httpStatus()).as("the old session is over").isEqualTo(401);
    }

    // ---- helpers

    private String produce(String producer, String body) {
        Reply r = client.produce(form("producer", producer, "message", body));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r.result().path("msgId").asText();
    }

    private static Reply ok(Reply r) {
        assertThat(r.httpStatus()).as(r.raw().body()).isEqualTo(200);
        return r;
    }

    private void open(String hash) {
        browser.executeScript("location.hash = arguments[0]", hash);
    }

    private static By stat(int n) {
        return By.cssSelector(".stats .stat:nth-child(" + n + ") .value");
    }

    private void click(By by) {
        awaitElement(by).click();
    }

    /** Asks for the offset reset chosen in the form: the confirmation shows and says what will happen. */
    private void resetConfirmationSays(String... phrases) {
        click(By.id("reset-button"));
        awaitTrue("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-body")).getText()).contains(phrases);
    }

    private void setValue(By by, String value) {
        WebElement input = awaitElement(by);
        input.clear();
        input.sendKeys(value);
    }

    private void choose(By select, String value) {
        browser.executeScript("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
            awaitElement(select), value);
    }

    private WebElement awaitElement(By by) {
        return await().atMost(LONG).ignoreExceptions().until(() -> {
            WebElement e = browser.findElement(by);
            return e.isDisplayed() ? e : null;
        }, e -> e != null);
    }

    private void awaitText(String what, By by, String text) {
        await(what).atMost(LONG).ignoreExceptions().until(() -> browser.findElement(by).getText().trim(),
            t -> t.equals(text));
    }

    private void awaitContains(String what, By by, String text) {
        await(what).atMost(LONG).ignoreExceptions().until(() -> browser.findElement(by).getText(),
            t -> t.contains(text));
    }

    private static void awaitTrue(String what, Callable<Boolean> condition) {
        await(what).atMost(LONG).ignoreExceptions().until(condition);
    }

    private void assertNoSidewaysScroll(String page) {
        Object overflow = browser.executeScript(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(((Number) overflow).intValue()).as("%s scrolls sideways on a phone", page).isLessThanOrEqualTo(0);
    }

    /** The whole page, not only the window: the window is made as tall as the page for the shot. */
    private void screenshot(String name) throws IOException, InterruptedException {
        Thread.sleep(300); // let a refresh that just started paint
        Dimension window = browser.manage().window().getSize();
        Number height = (Number) browser.executeScript("return Math.max(document.documentElement.scrollHeight, "
            + "document.body.scrollHeight)");
        int full = Math.min(6000, Math.max(window.getHeight(), height.intValue() + 140));
        browser.manage().window().setSize(new Dimension(window.getWidth(), full));
        try {
            File file = browser.getScreenshotAs(OutputType.FILE);
            Files.copy(file.toPath(), SHOTS.resolve(String.format("%02d-%s.png", ++shot, name)),
                StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.manage().window().setSize(window);
        }
    }

    private static void deleteQuietly(File dir) {
        try (var paths = Files.walk(dir.toPath())) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
