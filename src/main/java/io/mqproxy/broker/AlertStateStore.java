package io.mqproxy.broker;

import java.util.Map;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Where the alerts' state is kept (firing since when, last notification results): a namespace of the
 * name servers' KV store of its own, apart from the registry's, since it changes with the broker's
 * lag rather than with operators. The instance that collects writes it on each transition; any
 * instance reads it to show it, and a new collector takes it over, so an alert already notified is
 * not notified again. The calls block: callers run them on their own threads.
 */
public final class AlertStateStore {
    static final String NAMESPACE = "MQPROXY_ALERTS";

    private final AdminClient cluster;
    private final DefaultMQAdminExt admin;

    AlertStateStore(AdminClient cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
    }

    /** Every entry, by key. */
    public Map<String, String> entries() throws Exception {
        return cluster.kvEntries(NAMESPACE);
    }

    public void put(String key, String value) throws Exception {
        admin.createAndUpdateKvConfig(NAMESPACE, key, value);
    }

    public void remove(String key) throws Exception {
        admin.deleteKvConfig(NAMESPACE, key);
    }
}
