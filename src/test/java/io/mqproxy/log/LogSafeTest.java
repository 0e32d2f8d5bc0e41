package io.mqproxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void lineEnds_controlCharacters_andSeparators_becomeVisibleEscapes() {
        assertThat(LogSafe.escape("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(LogSafe.escape("\u001b[31mred")).isEqualTo("\\u001b[31mred");
        assertThat(LogSafe.escape("x\u0000\u007f\u0085\u2028\u2029y")).isEqualTo("x\\u0000\\u007f\\u0085\\u2028\\u2029y");
        // Bidirectional overrides and zero-width characters: invisible, so shown.
        assertThat(LogSafe.escape("a\u202eb\u200bc")).isEqualTo("a\\u202eb\\u200bc");
    }

    @Test
    void ordinaryText_isKeptAsItIs() {
        String plain = "group-1 %DLQ%g |x| C:\\data\\mq é ü 日本 😀";
        assertThat(LogSafe.escape(plain)).isSameAs(plain);
        assertThat(LogSafe.of(null)).hasToString("null");
        assertThat(LogSafe.of(42)).hasToString("42");
    }

    @Test
    void longValues_areCut_andTheRestCounted() {
        assertThat(LogSafe.escape("a".repeat(200))).isEqualTo("a".repeat(200));
        assertThat(LogSafe.escape("a".repeat(1_000))).isEqualTo("a".repeat(200) + "…(+800)");
        // The cut never splits a surrogate pair.
        String cut = LogSafe.escape("a".repeat(199) + "😀" + "b");
        assertThat(cut).isEqualTo("a".repeat(199) + "…(+3)");
        // Escapes are counted on the value, not on what they become.
        assertThat(LogSafe.escape("\n".repeat(300))).isEqualTo("\\n".repeat(200) + "…(+100)");
    }

    @Test
    void ofIsLazy_andEscapesWhenFormatted() {
        assertThat(LogSafe.of("q\nforged")).hasToString("q\\nforged");
    }

    /** logback.xml's net: %safeMsg and %safeEx keep a record on its lines even without LogSafe. */
    @Test
    void layout_escapesMessagesAndExceptionMessages_butKeepsTheStackTrace() {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("safeMsg", SafeMessageConverter::new);
        layout.getInstanceConverterMap().put("safeEx", SafeThrowableConverter::new);
        layout.setPattern("%level - %safeMsg%n%safeEx");
        layout.start();
        Exception failure = new IllegalStateException("bad value 'x\nforged'",
            new RuntimeException("cause \r\n forged too"));
        LoggingEvent event = new LoggingEvent("test", context.getLogger("t"), Level.ERROR,
            "value {}", failure, new Object[] {"a\nb\u001bc"});
        String out = layout.doLayout(event);

        assertThat(out).startsWith("ERROR - value a\\nb\\u001bc" + System.lineSeparator());
        assertThat(out).contains("java.lang.IllegalStateException: bad value 'x\\nforged'")
            .contains("Caused by: java.lang.RuntimeException: cause \\r\\n forged too")
            .doesNotContain("\u001b");
        assertThat(out.lines().skip(1)).as("every line after the first is part of the stack trace")
            .allMatch(l -> l.startsWith("\tat ") || l.startsWith("\t... ") || l.startsWith("java.lang.")
                || l.startsWith("Caused by: ") || l.isEmpty());
        assertThat(out.lines().filter(l -> l.startsWith("\tat "))).isNotEmpty();
    }
}
