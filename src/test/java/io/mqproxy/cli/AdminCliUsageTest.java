package io.mqproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's own behaviour, with no proxy or a stand-in: help, usage errors, errors naming what failed. */
class AdminCliUsageTest {

    private record Run(int code, String out, String err) {
    }

    private static Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** Every command's path, e.g. [groups], [alerts, set]. */
    static List<List<String>> commands(CommandLine line, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        line.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            all.add(p);
            all.addAll(commands(sub, p));
        });
        return all;
    }

    @Test
    void everyCommand_hasHelp() {
        List<List<String>> commands = commands(AdminCli.commandLine(), List.of());
        assertThat(commands).extracting(c -> String.join(" ", c)).contains("groups", "lag", "audit", "alerts list",
            "alerts show", "alerts set", "alerts clear", "alerts monitor", "completion");
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Run help = admin(args.toArray(String[]::new));
            assertThat(help.code()).as(args.toString()).isZero();
            assertThat(help.err()).as(args.toString()).isEmpty();
            assertThat(help.out()).as(args.toString()).startsWith("Usage: admin " + String.join(" ", command))
                .contains("Exit codes:");
        }
    }

    @Test
    void usageErrors_exit2() {
        assertThat(admin("no-such-command").code()).isEqualTo(AdminCli.USAGE);
        assertThat(admin("groups", "--no-such-option").code()).isEqualTo(AdminCli.USAGE);
        Run offsets = admin("lag", "--offsets", "--url", "http://127.0.0.1:1");
        assertThat(offsets.code()).isEqualTo(AdminCli.USAGE);
        assertThat(offsets.err()).contains("-g GROUP");
        Run url = admin("groups", "--url", "127.0.0.1:8083");
        assertThat(url.code()).isEqualTo(AdminCli.USAGE);
        assertThat(url.err()).contains("http://127.0.0.1:8083");
        Run tokenFile = admin("groups", "--url", "http://127.0.0.1:1", "--token-file", "/no/such/operator.token");
        assertThat(tokenFile.code()).isEqualTo(AdminCli.USAGE);
        assertThat(tokenFile.err()).contains("/no/such/operator.token").doesNotContain("NoSuchFileException:");
    }

    @Test
    void nothingListening_namesTheUrl_andWhatToCheck_exit3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Run run = admin("groups", "--url", url);
        assertThat(run.code()).isEqualTo(AdminCli.UNREACHABLE);
        assertThat(run.err()).contains(url).contains("connection refused").contains("admin.port")
            .contains("--url").contains("MQPROXY_ADMIN_URL").doesNotContain("java.net.ConnectException");
    }

    @Test
    void refusals_printTheProxysMessage_andA401_saysWhichToken() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean authorised = "Bearer good".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            int status = authorised ? 400 : 401;
            byte[] body = ("{\"status\":" + status + ",\"message\":\"" + (authorised
                ? "maxPullSize must be 1..32, got 999" : "invalid operator token") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Run unauthorised = admin("groups", "--url", url, "--token", "bad");
            assertThat(unauthorised.code()).isEqualTo(AdminCli.REFUSED);
            assertThat(unauthorised.err()).contains("401 invalid operator token").contains(url)
                .contains("--token").contains("--token-file").contains("MQPROXY_ADMIN_TOKEN");
            Run refused = admin("set", "-g", "g", "maxPullSize=999", "--url", url, "--token", "good");
            assertThat(refused.code()).isEqualTo(AdminCli.REFUSED);
            assertThat(refused.err()).contains("400 maxPullSize must be 1..32, got 999");
        } finally {
            server.stop(0);
        }
    }
}
