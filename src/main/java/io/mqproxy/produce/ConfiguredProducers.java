package io.mqproxy.produce;

import io.mqproxy.config.ProxyConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The producers declared in the configuration file. */
public final class ConfiguredProducers implements ProducerRegistry {
    private final Map<String, String> topics;

    public ConfiguredProducers(List<ProxyConfig.Producer> producers) {
        topics = producers.stream().collect(Collectors.toUnmodifiableMap(ProxyConfig.Producer::name,
            ProxyConfig.Producer::topic));
    }

    @Override
    public Optional<String> topicOf(String producer) {
        return Optional.ofNullable(topics.get(producer));
    }
}
