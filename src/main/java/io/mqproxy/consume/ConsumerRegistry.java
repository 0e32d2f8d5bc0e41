package io.mqproxy.consume;

import io.mqproxy.config.ProxyConfig;
import java.util.Optional;

/** The consumer groups the proxy serves. Today from configuration; later the runtime registry. */
public interface ConsumerRegistry {
    Optional<ProxyConfig.Consumer> find(String consumer);
}
