package io.mqproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code admin completion bash|zsh}: made from the command line's model, so every command and option is in it. */
class CompletionTest {

    private static String script(String shell) {
        StringWriter out = new StringWriter();
        int code = AdminCli.run(new String[] {"completion", shell}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        return out.toString();
    }

    @Test
    void everyCommandAndOption_isInBothScripts() {
        String bash = script("bash");
        String zsh = script("zsh");
        assertThat(zsh).startsWith("#compdef " + Completion.COMMAND);
        assertThat(bash).contains("complete ").contains(Completion.COMMAND);
        CommandLine root = AdminCli.commandLine();
        List<List<String>> commands = AdminCliUsageTest.commands(root, List.of());
        for (List<String> path : commands) {
            CommandLine line = root;
            for (String name : path) {
                line = line.getSubcommands().get(name);
            }
            String last = path.get(path.size() - 1);
            String bashName = "function _picocli_" + Completion.COMMAND + "_" + String.join("_", path) + "() {";
            assertThat(bash).as("bash: " + path).contains(bashName);
            String bashFunction = bash.substring(bash.indexOf(bashName));
            bashFunction = bashFunction.substring(0, bashFunction.indexOf("\n}\n"));
            assertThat(zsh).as("zsh: " + path).contains("'" + last + ":").contains("_mq_proxy_admin_"
                + String.join("_", path) + "()");
            String zshFunction = zsh.substring(zsh.indexOf("_mq_proxy_admin_" + String.join("_", path) + "()"));
            zshFunction = zshFunction.substring(0, zshFunction.indexOf("\n}\n"));
            for (CommandLine.Model.OptionSpec o : line.getCommandSpec().options()) {
                for (String name : o.names()) {
                    assertThat(bashFunction).as("bash: " + path + " " + name).contains("'" + name + "'");
                    assertThat(zshFunction).as("zsh: " + path + " " + name).contains("'" + name + "[");
                }
            }
        }
        assertThat(zsh).contains("'1:SHELL:(bash zsh)'");
    }

    @Test
    void bashAcceptsTheBashScript(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mq-proxy-admin.bash");
        Files.writeString(file, script("bash"), StandardCharsets.UTF_8);
        Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.exitValue()).as(output).isZero();
    }

    @Test
    void zshAcceptsTheZshScript_whereZshIsInstalled(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
            "zsh is not installed");
        Path file = dir.resolve("_" + Completion.COMMAND);
        Files.writeString(file, script("zsh"), StandardCharsets.UTF_8);
        Process zsh = new ProcessBuilder("zsh", "-n", file.toString()).redirectErrorStream(true).start();
        assertThat(zsh.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(zsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(zsh.exitValue()).as(output).isZero();
    }
}
