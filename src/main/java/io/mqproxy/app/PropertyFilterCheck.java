package io.mqproxy.app;

import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.config.ConfigException;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up on an external cluster: a consumer of the file with an SQL92 filter needs brokers that filter by
 * property. One that says it does not stops start-up, naming the consumer and the broker setting; one that
 * cannot be asked now (down, no route yet) is a warning, and the group is served.
 */
final class PropertyFilterCheck {
    private static final Logger log = LoggerFactory.getLogger(PropertyFilterCheck.class);

    private PropertyFilterCheck() {
    }

    static void atStartUp(ProxyConfig config, PropertyFilterSupport brokers) {
        for (int i = 0; i < config.consumers().size(); i++) {
            ProxyConfig.Consumer c = config.consumers().get(i);
            if (c.filter() == null || c.filter().type() != SubscriptionFilter.Type.SQL92) {
                continue;
            }
            PropertyFilterSupport.Answer answer = brokers.of(c.topic());
            if (!answer.without().isEmpty()) {
                throw new ConfigException("configuration key 'consumers[" + i + "].filter': consumer '" + c.name()
                    + "': " + answer.problem(c.topic()));
            }
            if (!answer.supported()) {
                log.warn("consumer '{}': {}; serving its SQL92 filter anyway", c.name(), answer.problem(c.topic()));
            }
        }
    }
}
