package io.mqproxy.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;

/**
 * {@code admin completion bash|zsh}: a shell completion script made from the command line's own model (its
 * commands, options and descriptions), so it cannot drift from what the command line accepts. The scripts
 * complete the command {@value #COMMAND}: a wrapper on the PATH that runs {@code java -jar mq-proxy.jar admin}
 * (README, "Shell completion").
 */
@Command(name = "completion", description = {"Print a shell completion script for the command " + Completion.COMMAND
    + " (a wrapper running java -jar mq-proxy.jar admin).",
    "bash: source <(" + Completion.COMMAND + " completion bash); zsh: " + Completion.COMMAND
        + " completion zsh > \"${fpath[1]}/_" + Completion.COMMAND + "\". README, \"Shell completion\"."})
final class Completion implements Callable<Integer> {
    static final String COMMAND = "mq-proxy-admin";

    enum Shell { bash, zsh }

    @CommandLine.Spec
    CommandSpec spec;
    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(shell == Shell.bash ? bash(root) : zsh(root.getCommandSpec()));
        spec.commandLine().getOut().flush();
        return AdminCli.OK;
    }

    /** picocli's own generator; the script also runs under zsh's bashcompinit, but {@link #zsh} is native. */
    static String bash(CommandLine root) {
        return AutoComplete.bash(COMMAND, root);
    }

    /** A native zsh script: one function per command, {@code _arguments} for its options, subcommands described. */
    static String zsh(CommandSpec root) {
        StringBuilder s = new StringBuilder("#compdef " + COMMAND + "\n"
            + "# zsh completion for " + COMMAND + " (java -jar mq-proxy.jar admin), made by `" + COMMAND
            + " completion zsh`.\n\n");
        function(root, fn(List.of()), s, List.of());
        s.append(fn(List.of())).append(" \"$@\"\n");
        return s.toString();
    }

    private static void function(CommandSpec spec, String name, StringBuilder s, List<String> path) {
        Map<String, CommandLine> subs = spec.subcommands();
        s.append(name).append("() {\n");
        if (!subs.isEmpty()) {
            s.append("  local context state state_descr line\n  typeset -A opt_args\n");
        }
        s.append("  _arguments -s");
        if (!subs.isEmpty()) {
            s.append(" -C");
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            for (String n : o.names()) {
                s.append(" \\\n    '").append(n).append('[').append(quote(first(o.description()))).append(']');
                if (o.arity().max() > 0) {
                    s.append(':').append(quote(o.paramLabel())).append(':').append(values(o.completionCandidates()));
                }
                s.append('\'');
            }
        }
        if (!subs.isEmpty()) {
            s.append(" \\\n    '1: :->command' \\\n    '*:: :->argument' && return\n");
            s.append("  case $state in\n    command)\n      local -a commands\n      commands=(\n");
            subs.forEach((n, c) -> s.append("        '").append(n).append(':')
                .append(quote(first(c.getCommandSpec().usageMessage().description()))).append("'\n"));
            s.append("      )\n      _describe -t commands 'command' commands ;;\n    argument)\n"
                + "      case $words[1] in\n");
            subs.forEach((n, c) -> s.append("        ").append(n).append(") ").append(fn(append(path, n)))
                .append(" ;;\n"));
            s.append("      esac ;;\n  esac\n}\n\n");
            subs.forEach((n, c) -> function(c.getCommandSpec(), fn(append(path, n)), s, append(path, n)));
            return;
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            s.append(" \\\n    '").append(p.arity().max() > 1 ? "*" : String.valueOf(p.index().min() + 1))
                .append(':').append(quote(p.paramLabel())).append(':').append(values(p.completionCandidates()))
                .append('\'');
        }
        s.append("\n}\n\n");
    }

    private static String values(Iterable<String> candidates) {
        if (candidates == null || !candidates.iterator().hasNext()) {
            return " ";
        }
        return "(" + String.join(" ", candidates) + ")";
    }

    private static List<String> append(List<String> path, String name) {
        return java.util.stream.Stream.concat(path.stream(), java.util.stream.Stream.of(name)).toList();
    }

    private static String fn(List<String> path) {
        return "_mq_proxy_admin" + (path.isEmpty() ? "" : "_" + String.join("_", path));
    }

    private static String first(String[] description) {
        return description.length == 0 ? "" : description[0];
    }

    /** Text inside '...' in an _arguments spec: no quote, no bracket or colon that would end a field. */
    private static String quote(String text) {
        return text.replace("'", "").replace("[", "(").replace("]", ")").replace(":", "\\:")
            .replaceAll("\\$\\{[^}]*}", "").replaceAll("%n", " ");
    }
}
