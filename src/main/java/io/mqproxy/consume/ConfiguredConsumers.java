package io.mqproxy.consume;

import io.mqproxy.config.ProxyConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The consumer groups declared in the configuration file. */
public final class ConfiguredConsumers implements ConsumerRegistry {
    private final Map<String, ProxyConfig.Consumer> groups;

    public ConfiguredConsumers(List<ProxyConfig.Consumer> consumers) {
        groups = consumers.stream().collect(Collectors.toUnmodifiableMap(ProxyConfig.Consumer::name,
            Function.identity()));
    }

    @Override
    public Optional<ProxyConfig.Consumer> find(String consumer) {
        return Optional.ofNullable(groups.get(consumer));
    }

    @Override
    public List<ProxyConfig.Consumer> all() {
        return groups.values().stream().sorted(Comparator.comparing(ProxyConfig.Consumer::name)).toList();
    }
}
