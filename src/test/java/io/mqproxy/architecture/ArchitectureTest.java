package io.mqproxy.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Layers that cannot leak: only {@code io.mqproxy.broker} (and its {@code embedded} part) talks RocketMQ. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src", "main", "java");
    private static final Path BROKER = MAIN.resolve(Path.of("io", "mqproxy", "broker"));
    private static final Pattern ROCKETMQ_IMPORT =
        Pattern.compile("^\\s*import\\s+(static\\s+)?org\\.apache\\.rocketmq\\.", Pattern.MULTILINE);
    /** A fully qualified use in code, outside comments, also counts. */
    private static final Pattern ROCKETMQ_NAME = Pattern.compile("\\borg\\.apache\\.rocketmq\\.");

    private static List<Path> javaFiles() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }

    @Test
    void onlyTheBrokerPackage_importsRocketMq() {
        List<Path> files = javaFiles();
        assertThat(files).as("sources found under %s", MAIN.toAbsolutePath()).isNotEmpty();
        List<String> leaks = new ArrayList<>();
        for (Path p : files) {
            if (!p.startsWith(BROKER) && ROCKETMQ_IMPORT.matcher(read(p)).find()) {
                leaks.add(MAIN.relativize(p).toString());
            }
        }
        assertThat(leaks).as("files outside io/mqproxy/broker/ importing org.apache.rocketmq").isEmpty();
    }

    @Test
    void noFullyQualifiedRocketMqNames_outsideTheBrokerPackage() {
        List<String> leaks = new ArrayList<>();
        for (Path p : javaFiles()) {
            if (!p.startsWith(BROKER) && ROCKETMQ_NAME.matcher(withoutComments(read(p))).find()) {
                leaks.add(MAIN.relativize(p).toString());
            }
        }
        assertThat(leaks).as("files outside io/mqproxy/broker/ naming org.apache.rocketmq classes").isEmpty();
    }

    /**
     * The broker package says what went wrong ({@code BrokerFailure}); which status that is, is the edge's
     * ({@code io.mqproxy.error}), so the broker names nothing of the envelope.
     */
    @Test
    void theBrokerPackage_namesNoEnvelopeError() {
        Pattern errorName = Pattern.compile("\\bio\\.mqproxy\\.error\\.");
        List<String> leaks = new ArrayList<>();
        for (Path p : javaFiles()) {
            if (p.startsWith(BROKER) && errorName.matcher(withoutComments(read(p))).find()) {
                leaks.add(MAIN.relativize(p).toString());
            }
        }
        assertThat(leaks).as("files in io/mqproxy/broker/ naming io.mqproxy.error").isEmpty();
    }

    /** OpenTelemetry stays behind {@code io.mqproxy.tracing}'s small interface: the rest of the proxy calls that. */
    @Test
    void onlyTheTracingPackage_usesOpenTelemetry() {
        Path tracing = MAIN.resolve(Path.of("io", "mqproxy", "tracing"));
        Pattern otel = Pattern.compile("\\bio\\.opentelemetry\\.");
        List<String> leaks = new ArrayList<>();
        long inside = 0;
        for (Path p : javaFiles()) {
            boolean uses = otel.matcher(withoutComments(read(p))).find();
            if (p.startsWith(tracing)) {
                inside += uses ? 1 : 0;
            } else if (uses) {
                leaks.add(MAIN.relativize(p).toString());
            }
        }
        assertThat(leaks).as("files outside io/mqproxy/tracing/ using io.opentelemetry").isEmpty();
        assertThat(inside).as("the scan sees the tracing package's own imports").isGreaterThanOrEqualTo(2);
    }

    /** The scan would pass vacuously if it looked in the wrong place: the broker package must match. */
    @Test
    void theScanSeesTheBrokerPackagesOwnImports() {
        long brokerFiles = javaFiles().stream().filter(p -> p.startsWith(BROKER))
            .filter(p -> ROCKETMQ_IMPORT.matcher(read(p)).find()).count();
        assertThat(brokerFiles).isGreaterThanOrEqualTo(2);
        assertThat(javaFiles()).anyMatch(p -> p.startsWith(BROKER.resolve("embedded")));
    }
}
