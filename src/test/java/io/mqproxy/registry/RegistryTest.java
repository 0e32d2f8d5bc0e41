package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.TestProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry (issue 23: it had no unit test): the configuration file's producers and groups are the seed;
 * the run-time entries in force are applied whole (what is not in them any more is gone); a file producer keeps
 * its topic; listeners are told of each change with before and after, once the new view is in place, and one
 * that fails does not keep the others from hearing.
 */
class RegistryTest {
    /** A configuration read as the proxy reads it; no broker is reached. */
    private static final ProxyConfig CONFIG = TestProxy.builder()
        .namesrvAddr("127.0.0.1:9876")
        .producer("file-p", "file-topic")
        .consumer("file-g", "file-topic", Map.of())
        .config();

    private static RuntimeEntries producers(RuntimeEntries.ProducerEntry... entries) {
        Map<String, RuntimeEntries.ProducerEntry> byName = new java.util.HashMap<>();
        for (RuntimeEntries.ProducerEntry e : entries) {
            byName.put(e.name(), e);
        }
        return new RuntimeEntries(Map.of(), byName);
    }

    private static RuntimeEntries.ProducerEntry producer(String name, String topic) {
        return new RuntimeEntries.ProducerEntry(name, topic, false);
    }

    @Test
    void theFilesEntries_areServedFromTheStart() {
        Registry registry = new Registry(CONFIG);
        assertThat(registry.producer("file-p")).get().extracting(Producer::topic).isEqualTo("file-topic");
        assertThat(registry.consumer("file-g")).isPresent();
        assertThat(registry.fromFile("file-g")).isTrue();
        assertThat(registry.producerFromFile("file-p")).isTrue();
        assertThat(registry.topics()).containsExactly("file-topic");
    }

    @Test
    void aRunTimeSchema_replacesTheFilesForItsProducer_andOneThatCannotCompile_refusesEverything() throws Exception {
        Registry registry = new Registry(CONFIG);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] body = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        registry.apply(producers(new RuntimeEntries.ProducerEntry("file-p", null, false,
            json.readTree("{\"type\":\"object\",\"required\":[\"id\"]}"))));
        assertThat(registry.producer("file-p").orElseThrow().topic()).as("keeps its topic").isEqualTo("file-topic");
        assertThat(registry.producer("file-p").orElseThrow().schema().violation(body)).contains("'id'");
        assertThat(registry.producer("file-p").orElseThrow().schemaSource()).isEqualTo("runtime");

        // Only a hand-made entry can hold a schema that does not compile: its producer is refused, not let through.
        registry.apply(producers(new RuntimeEntries.ProducerEntry("file-p", null, false, json.readTree("{\"type\":5}"))));
        assertThat(registry.producer("file-p").orElseThrow().schema().violation(body)).contains("cannot be checked");

        registry.apply(RuntimeEntries.NONE);
        assertThat(registry.producer("file-p").orElseThrow().schema()).as("the file's (none)").isNull();
        assertThat(registry.producer("file-p").orElseThrow().schemaSource()).isNull();
    }

    @Test
    void runTimeEntries_areAppliedWhole_overTheFile() {
        Registry registry = new Registry(CONFIG);
        registry.apply(producers(producer("rt-a", "topic-a"), producer("rt-b", "topic-b")));
        assertThat(registry.producers()).extracting(Producer::name).containsExactly("file-p", "rt-a", "rt-b");
        assertThat(registry.topics()).containsExactly("file-topic", "topic-a", "topic-b");

        registry.apply(producers(producer("rt-b", "topic-b")));
        assertThat(registry.producer("rt-a")).as("not in force any more").isEmpty();
        assertThat(registry.producers()).extracting(Producer::name).containsExactly("file-p", "rt-b");

        registry.apply(producers(new RuntimeEntries.ProducerEntry("rt-b", "topic-b", true)));
        assertThat(registry.producer("rt-b")).as("unregistered").isEmpty();
        assertThat(registry.producer("file-p")).as("the file's stay").isPresent();
    }

    @Test
    void aFileProducer_keepsItsTopic_andCannotBeUnregistered() {
        Registry registry = new Registry(CONFIG);
        registry.apply(producers(producer("file-p", "elsewhere")));
        assertThat(registry.producer("file-p")).get().extracting(Producer::topic).isEqualTo("file-topic");
        registry.apply(producers(new RuntimeEntries.ProducerEntry("file-p", null, true)));
        assertThat(registry.producer("file-p")).isPresent();
    }

    @Test
    void aGroupRegisteredAtRunTime_takesTheDefaults_andGoesWhenUnregistered() {
        Registry registry = new Registry(CONFIG);
        registry.apply(new RuntimeEntries(Map.of("rt-g", new RuntimeEntries.ConsumerEntry("rt-g", "rt-topic",
            ProxyConfig.ConsumeMode.CLUSTERING, null, null, false)), Map.of()));
        ConsumerGroup g = registry.consumer("rt-g").orElseThrow();
        assertThat(g.topic()).isEqualTo("rt-topic");
        assertThat(g.settings()).isEqualTo(registry.defaults());
        assertThat(registry.fromFile("rt-g")).isFalse();
        registry.apply(new RuntimeEntries(Map.of("rt-g", new RuntimeEntries.ConsumerEntry("rt-g", "rt-topic",
            ProxyConfig.ConsumeMode.CLUSTERING, null, null, true)), Map.of()));
        assertThat(registry.consumer("rt-g")).isEmpty();
        assertThat(registry.consumer("file-g")).isPresent();
    }

    @Test
    void listeners_hearEachChange_afterTheSwap_andAFailingOneStopsNoOther() {
        Registry registry = new Registry(CONFIG);
        List<String> heard = new ArrayList<>();
        registry.addListener(new RegistryListener() {
            @Override
            public void producerChanged(Producer before, Producer after) {
                throw new IllegalStateException("a listener that fails");
            }
        });
        registry.addListener(new RegistryListener() {
            @Override
            public void producerChanged(Producer before, Producer after) {
                String name = after != null ? after.name() : before.name();
                heard.add((before == null ? "-" : before.topic()) + ">" + (after == null ? "-" : after.topic())
                    + " served now: " + registry.producer(name).isPresent());
            }
        });
        registry.apply(producers(producer("rt", "t1")));
        registry.apply(producers(producer("rt", "t1")));
        registry.apply(producers(producer("rt", "t2")));
        registry.apply(RuntimeEntries.NONE);
        assertThat(heard).as("once per change, none for the same entries again").containsExactly(
            "->t1 served now: true", "t1>t2 served now: true", "t2>- served now: false");
    }
}
