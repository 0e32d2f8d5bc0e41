package io.mqproxy.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Prometheus text exposition, parsed: each sample's name, labels and value, so a test checks the
 * names and labels an operator's queries use, not substrings.
 */
public final class MetricsScrape {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private MetricsScrape(List<Sample> samples) {
        this.samples = samples;
    }

    /** Scrapes the proxy's admin port. */
    public static MetricsScrape of(ProxyClient client) {
        ProxyClient.Reply reply = client.get(client.adminPort(), "/metrics");
        if (reply.httpStatus() != 200) {
            throw new IllegalStateException("/metrics answered " + reply.httpStatus());
        }
        return parse(reply.raw().body());
    }

    public static MetricsScrape parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int end = labels(line, brace + 1, labels);
                space = line.indexOf(' ', end);
            } else {
                name = line.substring(0, line.indexOf(' '));
                space = line.indexOf(' ');
            }
            String value = line.substring(space + 1).trim().split(" ")[0];
            out.add(new Sample(name, labels, Double.parseDouble(value)));
        }
        return new MetricsScrape(out);
    }

    /** Reads {@code a="x",b="y"} from {@code from}; returns the index after the closing brace. */
    private static int labels(String line, int from, Map<String, String> into) {
        int i = from;
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // after ="
            while (line.charAt(j) != '"') {
                char c = line.charAt(j);
                if (c == '\\') {
                    char n = line.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(c);
                }
                j++;
            }
            into.put(key, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return i + 1;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Every sample named so whose labels include all of {@code labels} ("key", "value", ...). */
    public List<Sample> all(String name, String... labels) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && has(s, labels)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The value of the one sample named so with these labels; NaN when there is none. */
    public double value(String name, String... labels) {
        List<Sample> found = all(name, labels);
        if (found.size() > 1) {
            throw new IllegalStateException(found.size() + " samples of " + name + " match " + List.of(labels)
                + ": " + found);
        }
        return found.isEmpty() ? Double.NaN : found.get(0).value();
    }

    /** The sum of every sample named so with these labels (0 when none). */
    public double sum(String name, String... labels) {
        return all(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    private static boolean has(Sample s, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
