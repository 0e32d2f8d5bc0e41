package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Prints a result for people: an array of objects as a table, an object as key: value lines. Times (fields
 * named {@code time}, {@code at}, {@code since}, or ending in {@code At} / {@code Time}) are shown as local ISO
 * dates in {@code zone}; {@code --json} keeps the epoch milliseconds for scripts.
 */
final class Table {
    private static final int MAX_CELL = 60;

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    /** A row; a cell may hold several lines (one change per line), the other cells stay on its first. */
    Table row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        if (rows.isEmpty()) {
            out.println("(none)");
            return;
        }
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                for (String line : row.get(i).split("\n", -1)) {
                    widths[i] = Math.max(widths[i], line.length());
                }
            }
        }
        line(headers, widths, out);
        for (List<String> row : rows) {
            List<String[]> cells = row.stream().map(c -> c.split("\n", -1)).toList();
            int height = cells.stream().mapToInt(c -> c.length).max().orElse(1);
            for (int l = 0; l < height; l++) {
                List<String> line = new ArrayList<>();
                for (String[] c : cells) {
                    line.add(l < c.length ? c[l] : "");
                }
                line(line, widths, out);
            }
        }
    }

    private static void line(List<String> cells, int[] widths, PrintWriter out) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            s.append(cells.get(i)).append(" ".repeat(widths[i] - cells.get(i).length() + 2));
        }
        out.println(s.toString().stripTrailing());
    }

    // ---- any result, as the API answered it

    static void printResult(JsonNode result, PrintWriter out, ZoneId zone) {
        if (result == null || result.isNull() || result.isMissingNode()) {
            out.println("done");
        } else if (result.isArray()) {
            rows(result, out, zone);
        } else if (result.isObject()) {
            object(result, out, zone, "");
        } else {
            out.println(text(result));
        }
        out.flush();
    }

    /** Key: value lines; a nested object's fields indented under its key. */
    private static void object(JsonNode object, PrintWriter out, ZoneId zone, String indent) {
        object.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            if (v.isArray() && v.size() > 0 && v.get(0).isObject()) {
                out.println(indent + f.getKey() + ":");
                rows(v, out, zone);
            } else if (v.isObject() && v.size() > 0) {
                out.println(indent + f.getKey() + ":");
                object(v, out, zone, indent + "  ");
            } else {
                out.println(indent + f.getKey() + ": " + cell(f.getKey(), v, zone));
            }
        });
    }

    private static void rows(JsonNode array, PrintWriter out, ZoneId zone) {
        if (array.isEmpty()) {
            out.println("(none)");
            return;
        }
        if (!array.get(0).isObject()) {
            array.forEach(v -> out.println(text(v)));
            return;
        }
        Set<String> columns = new LinkedHashSet<>();
        array.forEach(row -> row.fieldNames().forEachRemaining(columns::add));
        Table table = new Table(columns.toArray(String[]::new));
        for (JsonNode row : array) {
            table.row(columns.stream().map(c -> {
                String cell = cell(c, row.get(c), zone);
                return cell.length() > MAX_CELL ? cell.substring(0, MAX_CELL - 3) + "..." : cell;
            }).toArray(String[]::new));
        }
        table.print(out);
    }

    /** A value for people: a time field as a local date, a nested value as compact JSON. */
    static String cell(String field, JsonNode v, ZoneId zone) {
        if (v != null && isTimeField(field)) {
            if (v.isIntegralNumber() && v.asLong() > 0) {
                return time(v.asLong(), zone);
            }
            if (v.isTextual()) {
                try {
                    return time(Instant.parse(v.asText()).toEpochMilli(), zone);
                } catch (DateTimeParseException notAnInstant) {
                    return v.asText();
                }
            }
        }
        return text(v);
    }

    static boolean isTimeField(String field) {
        return field.equals("time") || field.equals("at") || field.equals("since") || field.endsWith("At")
            || field.endsWith("Time");
    }

    /** Epoch milliseconds as a local ISO date to the second, e.g. 2026-12-07T10:15:30+01:00. */
    static String time(long epochMillis, ZoneId zone) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), zone).truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "";
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
