package io.mqproxy.push;

import static io.mqproxy.push.PushLane.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser (Debian's headless Chromium, driven through its chromedriver) opens examples/stream.html,
 * served from another origin than the proxy, and receives messages through EventSource, acking each
 * with /mq/ack: the stream, its CORS and the per-message ack tokens as a web page uses them.
 */
class StreamBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void pageOnAnotherOrigin_receivesMessagesByEventSource_andAcksThem() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; ./test.sh does)")
            .exists();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver").exists();
        PushLane lane = PushLane.create("stream-browser", 4);
        HttpServer page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        byte[] html = Files.readAllBytes(Path.of("examples", "stream.html"));
        page.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, html.length);
            exchange.getResponseBody().write(html);
            exchange.close();
        });
        page.start();
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-quic", "--user-data-dir=" + profile);
        ChromeDriver browser = null;
        try (TestProxy proxy = lane.register(TestProxy.builder(), settings("pop", true)).start()) {
            ProxyClient client = proxy.client();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sent.add("before the page " + i);
                lane.produce(client, "before the page " + i);
            }
            browser = new ChromeDriver(service, options);
            browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            String url = "http://127.0.0.1:" + page.getAddress().getPort() + "/stream.html?proxy="
                + "http://127.0.0.1:" + client.consumePort() + "&topic=" + lane.topic() + "&consumer=" + lane.group();
            browser.get(url);
            JavascriptExecutor js = browser;
            await().atMost(Duration.ofSeconds(30)).until(() -> count(js, "window.received") >= 5);
            for (int i = 0; i < 5; i++) {
                sent.add("while the page is open " + i);
                lane.produce(client, "while the page is open " + i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(js, "window.acks") >= 10);
            @SuppressWarnings("unchecked")
            List<String> received = (List<String>) js.executeScript("return window.received");
            @SuppressWarnings("unchecked")
            List<String> acks = (List<String>) js.executeScript("return window.acks");
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(acks).containsOnly("OK");
            assertThat(js.executeScript("return document.getElementById('state').textContent")).isEqualTo("open");
            // Acked from the page: nothing comes back to anyone.
            ProxyClient.Reply poll = client.get(client.consumePort(), "/mq/message?topic=" + lane.topic()
                + "&consumer=" + lane.group() + "&requestId=&pullTimeout=3");
            assertThat(poll.result().path("msgListSize").asInt()).isZero();
        } finally {
            if (browser != null) {
                browser.quit();
            }
            page.stop(0);
            deleteQuietly(profile.toFile());
        }
    }

    private static long count(JavascriptExecutor js, String array) {
        Object n = js.executeScript("return " + array + ".length");
        return n instanceof Number number ? number.longValue() : 0;
    }

    private static void deleteQuietly(File dir) {
        try (var paths = Files.walk(dir.toPath())) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
