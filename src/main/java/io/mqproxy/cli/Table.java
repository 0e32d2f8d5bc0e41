package io.mqproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Prints a result for people: an array of objects as a table, an object as key: value lines. */
final class Table {
    private Table() {
    }

    static void print(JsonNode result, PrintWriter out) {
        if (result == null || result.isNull() || result.isMissingNode()) {
            out.println("done");
        } else if (result.isArray()) {
            rows(result, out);
        } else if (result.isObject()) {
            result.fields().forEachRemaining(f -> {
                if (f.getValue().isArray() && f.getValue().size() > 0 && f.getValue().get(0).isObject()) {
                    out.println(f.getKey() + ":");
                    rows(f.getValue(), out);
                } else {
                    out.println(f.getKey() + ": " + text(f.getValue()));
                }
            });
        } else {
            out.println(text(result));
        }
        out.flush();
    }

    private static void rows(JsonNode array, PrintWriter out) {
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
        List<String> names = new ArrayList<>(columns);
        int[] widths = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            widths[i] = names.get(i).length();
            for (JsonNode row : array) {
                widths[i] = Math.max(widths[i], Math.min(60, text(row.get(names.get(i))).length()));
            }
        }
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            header.append(pad(names.get(i), widths[i]));
        }
        out.println(header.toString().stripTrailing());
        for (JsonNode row : array) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                String cell = text(row.get(names.get(i)));
                line.append(pad(cell.length() > 60 ? cell.substring(0, 57) + "..." : cell, widths[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length() + 2);
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "";
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
