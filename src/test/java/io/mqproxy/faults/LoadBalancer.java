package io.mqproxy.faults;

import io.mqproxy.testing.ProxyClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy or nginx from the machine's packages, run in the foreground with the configuration the docs
 * ship (docs/load-balancers/), only its addresses and paths replaced. Each replacement must match, so a
 * change to the shipped file that the test no longer covers fails here. Stopped by its own pid.
 */
final class LoadBalancer implements AutoCloseable {
    static final Path DOCS = Path.of("docs", "load-balancers");

    private final Process process;
    private final Path log;

    private LoadBalancer(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The shipped file with each {@code from} replaced by its {@code to}; every {@code from} must occur. */
    static String rewrite(String shipped, Map<String, String> replacements) {
        String text = shipped;
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            if (!text.contains(r.getKey())) {
                throw new IllegalStateException("the shipped configuration no longer contains '" + r.getKey()
                    + "': update the test with it");
            }
            text = text.replace(r.getKey(), r.getValue());
        }
        return text;
    }

    /** The tool's path, or a failure that says how to install it (the test never skips silently). */
    static String tool(String name) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException(name + " is not installed: this test runs the shipped " + name
            + " configuration (apt-get install -y haproxy nginx; ./test.sh installs them)");
    }

    /** HAProxy on {@code producePort}/{@code consumePort} (and stats on {@code statsPort}) in front of the instances. */
    static LoadBalancer haproxy(Path dir, int producePort, int consumePort, int statsPort, List<ProxyClient> instances)
        throws Exception {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("bind :8082", "bind 127.0.0.1:" + producePort);
        r.put("bind :8081", "bind 127.0.0.1:" + consumePort);
        r.put("bind 127.0.0.1:8404", "bind 127.0.0.1:" + statsPort);
        for (int i = 0; i < instances.size(); i++) {
            String host = "10.0.0." + (11 + i);
            r.put(host + ":8082", "127.0.0.1:" + instances.get(i).producePort());
            r.put(host + ":8081", "127.0.0.1:" + instances.get(i).consumePort());
        }
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, rewrite(Files.readString(DOCS.resolve("haproxy.cfg")), r));
        String haproxy = tool("haproxy");
        run(dir, "haproxy-check", haproxy, "-c", "-f", cfg.toString());
        Path log = dir.resolve("haproxy.out");
        Process p = new ProcessBuilder(haproxy, "-db", "-f", cfg.toString()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        return new LoadBalancer(p, log);
    }

    /** nginx on {@code producePort}/{@code consumePort}, its pid, logs and temp files in {@code dir}. */
    static LoadBalancer nginx(Path dir, int producePort, int consumePort, List<ProxyClient> instances) throws Exception {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("pid /run/nginx-mqproxy.pid;", "pid " + dir.resolve("nginx.pid") + ";");
        r.put("error_log /var/log/nginx/mqproxy-error.log warn;", "error_log " + dir.resolve("error.log") + " warn;");
        r.put("access_log /var/log/nginx/mqproxy-access.log;", "access_log " + dir.resolve("access.log") + ";\n"
            + "    client_body_temp_path " + dir.resolve("body") + ";\n    proxy_temp_path " + dir.resolve("proxy") + ";\n"
            + "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n    uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
            + "    scgi_temp_path " + dir.resolve("scgi") + ";");
        r.put("listen 8082;", "listen 127.0.0.1:" + producePort + ";");
        r.put("listen 8081;", "listen 127.0.0.1:" + consumePort + ";");
        r.put("worker_processes auto;", "worker_processes 1;");
        for (int i = 0; i < instances.size(); i++) {
            String host = "10.0.0." + (11 + i);
            r.put(host + ":8082", "127.0.0.1:" + instances.get(i).producePort());
            r.put(host + ":8081", "127.0.0.1:" + instances.get(i).consumePort());
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, rewrite(Files.readString(DOCS.resolve("nginx.conf")), r));
        String nginx = tool("nginx");
        run(dir, "nginx-check", nginx, "-t", "-p", dir.toString(), "-c", conf.toString());
        Path log = dir.resolve("nginx.out");
        Process p = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new LoadBalancer(p, log);
    }

    private static void run(Path dir, String name, String... command) throws Exception {
        Path out = dir.resolve(name + ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(out));
        }
    }

    /** HAProxy's view of each server (backend/server to status, e.g. UP, DOWN), from its stats page. */
    static Map<String, String> haproxyServers(int statsPort) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + statsPort + "/stats;csv")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
            for (String line : csv.body().split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length > 17 && !line.startsWith("#") && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND")) {
                    out.put(f[0] + "/" + f[1], f[17]);
                }
            }
        } catch (IOException e) {
            out.put("stats", "unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** Waits until HAProxy reports every listed server of both backends with {@code status}. */
    static void awaitHaproxy(int statsPort, List<String> servers, String status, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, String> seen = Map.of();
        while (System.nanoTime() < deadline) {
            seen = haproxyServers(statsPort);
            boolean all = true;
            for (String server : servers) {
                for (String backend : List.of("produce", "consume")) {
                    all &= seen.getOrDefault(backend + "/" + server, "").startsWith(status);
                }
            }
            if (all) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("HAProxy did not see " + servers + " " + status + " in " + seconds + " s: " + seen);
    }

    String output() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Lines of the balancer's own output that contain {@code text} (HAProxy logs each request there). */
    List<String> lines(String text) {
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(log)) {
                if (l.contains(text)) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
