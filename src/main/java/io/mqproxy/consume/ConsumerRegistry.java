package io.mqproxy.consume;

import io.mqproxy.config.ProxyConfig;
import java.util.List;
import java.util.Optional;

/** The consumer groups the proxy serves. Today from configuration; later the runtime registry. */
public interface ConsumerRegistry {
    Optional<ProxyConfig.Consumer> find(String consumer);

    /** Every group, in name order. */
    List<ProxyConfig.Consumer> all();
}
