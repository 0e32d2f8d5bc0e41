package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.config.ProxyConfig;
import java.util.Map;

/**
 * What operators changed at run time, as every instance reads it from the broker side: entries by
 * name. An entry names a group or producer of the configuration file (then it holds only setting
 * changes) or registers a new one (then it holds its topic, and for a group its mode).
 */
public record RuntimeEntries(Map<String, ConsumerEntry> consumers, Map<String, ProducerEntry> producers) {
    public static final RuntimeEntries NONE = new RuntimeEntries(Map.of(), Map.of());

    public RuntimeEntries {
        consumers = Map.copyOf(consumers);
        producers = Map.copyOf(producers);
    }

    /**
     * @param topic    null for a group of the configuration file; else the topic of a group registered at run time
     * @param removed  unregistered: not served any more (its broker data stays)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConsumerEntry(String name, String topic, ProxyConfig.ConsumeMode mode, Boolean pop,
                                GroupOverrides settings, boolean removed) {
        public ConsumerEntry {
            settings = settings == null ? GroupOverrides.NONE : settings;
        }
    }

    /**
     * @param topic  null for a producer of the configuration file; else the topic of one registered at run time
     * @param schema the JSON Schema set at run time (it replaces the file's), or null for none set at run time
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProducerEntry(String name, String topic, boolean removed, JsonNode schema) {
        public ProducerEntry(String name, String topic, boolean removed) {
            this(name, topic, removed, null);
        }
    }
}
