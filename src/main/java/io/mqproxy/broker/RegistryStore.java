package io.mqproxy.broker;

import java.util.Map;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Where the operators' run-time registry lives: a namespace of the name servers' KV store, which
 * the name servers keep on disk and every proxy instance reads. A {@value #REVISION} key changes
 * with every write, so readers poll one small key and read the rest only when it moved. The calls
 * block: callers run them on their own threads.
 */
public final class RegistryStore {
    static final String NAMESPACE = "MQPROXY_REGISTRY";
    public static final String REVISION = "revision";

    private final AdminClient cluster;
    private final DefaultMQAdminExt admin;

    RegistryStore(AdminClient cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
    }

    /** The revision now, or null when nothing was ever written. */
    public String revision() throws Exception {
        try {
            return admin.getKVConfig(NAMESPACE, REVISION);
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.QUERY_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** Every entry, the revision key included. */
    public Map<String, String> entries() throws Exception {
        return cluster.kvEntries(NAMESPACE);
    }

    /** Removes one entry, then writes a new revision, on every name server. */
    public void remove(String key, String revision) throws Exception {
        admin.deleteKvConfig(NAMESPACE, key);
        admin.createAndUpdateKvConfig(NAMESPACE, REVISION, revision);
    }

    /** Writes one entry, then a new revision, on every name server. */
    public void put(String key, String value, String revision) throws Exception {
        admin.createAndUpdateKvConfig(NAMESPACE, key, value);
        admin.createAndUpdateKvConfig(NAMESPACE, REVISION, revision);
    }
}
