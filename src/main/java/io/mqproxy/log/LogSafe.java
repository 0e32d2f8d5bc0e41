package io.mqproxy.log;

/**
 * A value from a request, made fit for a log line: one line, no terminal escapes, bounded.
 *
 * <p>Logs are read by people and by shippers that split on line ends: a client's value with a CR, LF,
 * U+2028 or ESC in it could start a forged record or rewrite a terminal. So every control character
 * (C0, C1, DEL), line and paragraph separator and invisible format character (bidirectional overrides,
 * zero-width characters) is shown as a visible escape ({@code \n}, {@code \r}, {@code \t},
 * {@code \u001b}), and a value is cut after {@value #MAX_CHARS} characters, the rest counted:
 * {@code …(+N)}. Backslashes are kept as they are: an escape written by the client stays on its line,
 * which is what matters, and paths stay readable.
 *
 * <p>Use it on every argument that comes from a request (names, ids, keys, paths, header values,
 * exception messages that quote them): {@code log.info("new clientId '{}'", LogSafe.of(clientId))}.
 */
public final class LogSafe {
    /** Characters kept of a value; enough for any name or id the proxy accepts. */
    public static final int MAX_CHARS = 200;

    private final String text;

    private LogSafe(String text) {
        this.text = text;
    }

    /**
     * Escapes lazily, when the log line is written (a disabled level costs one allocation).
     *
     * @param value any value; its {@code toString()} is escaped, {@code null} shows as {@code null}
     */
    public static LogSafe of(Object value) {
        return new LogSafe(String.valueOf(value));
    }

    /** Escaped and bounded: at most {@link #MAX_CHARS} characters of {@code value}, then {@code …(+N)}. */
    public static String escape(Object value) {
        return escape(String.valueOf(value), MAX_CHARS);
    }

    /** Escaped, not cut: for whole messages the proxy wrote itself (the logging configuration's net). */
    public static String escapeUnbounded(String value) {
        return value == null ? null : escape(value, Integer.MAX_VALUE);
    }

    private static String escape(String s, int maxChars) {
        int end = s.length() <= maxChars ? s.length() : maxChars;
        if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a pair
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(end + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        if (end == s.length()) {
            return out == null ? s : out.toString();
        }
        if (out == null) {
            out = new StringBuilder(end + 16).append(s, 0, end);
        }
        return out.append("…(+").append(s.length() - end).append(')').toString();
    }

    private static boolean needsEscape(char c) {
        if (c >= 0x20 && c < 0x7f) {
            return false; // printable ASCII: the common case, decided at once
        }
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.LINE_SEPARATOR
            || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT;
    }

    @Override
    public String toString() {
        return escape(text, MAX_CHARS);
    }
}
