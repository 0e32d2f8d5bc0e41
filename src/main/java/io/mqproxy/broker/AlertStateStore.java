package io.mqproxy.broker;

import java.util.HashMap;
import java.util.Map;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.body.KVTable;
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

    private final DefaultMQAdminExt admin;

    AlertStateStore(AdminClient cluster) {
        this.admin = cluster.admin();
    }

    /** Every entry, by key. */
    public Map<String, String> entries() throws Exception {
        try {
            KVTable table = admin.getKVListByNamespace(NAMESPACE);
            return table.getTable() == null ? Map.of() : new HashMap<>(table.getTable());
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.QUERY_NOT_FOUND) {
                return Map.of();
            }
            throw e;
        }
    }

    public void put(String key, String value) throws Exception {
        admin.createAndUpdateKvConfig(NAMESPACE, key, value);
    }

    public void remove(String key) throws Exception {
        admin.deleteKvConfig(NAMESPACE, key);
    }
}
