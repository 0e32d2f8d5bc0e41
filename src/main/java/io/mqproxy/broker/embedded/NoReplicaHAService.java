package io.mqproxy.broker.embedded;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.remoting.protocol.body.HARuntimeInfo;
import org.apache.rocketmq.store.CommitLog;
import org.apache.rocketmq.store.DefaultMessageStore;
import org.apache.rocketmq.store.PutMessageStatus;
import org.apache.rocketmq.store.ha.HAClient;
import org.apache.rocketmq.store.ha.HAConnection;
import org.apache.rocketmq.store.ha.HAConnectionStateNotificationRequest;
import org.apache.rocketmq.store.ha.HAService;
import org.apache.rocketmq.store.ha.WaitNotifyObject;

/**
 * The replication service of a master that has no replicas: it opens no port and starts no thread.
 *
 * <p>RocketMQ's {@code DefaultHAService} listens for slaves on {@code haListenPort} on every interface
 * ({@code new InetSocketAddress(port)}, whatever the broker's bind address) and streams the commit log from
 * any offset to whoever connects, without authentication; MessageStoreConfig has no bind address for it.
 * The embedded broker is a single master that never has a slave, so it does not run that listener at all:
 * what nobody listens on cannot be reached. {@link #installedDuring} puts this class in through the store's
 * own plug-in point, for the embedded broker only.
 */
public final class NoReplicaHAService implements HAService {
    /** Where RocketMQ's store looks for a replacement of its replication service (ServiceProvider.PREFIX). */
    private static final String HA_SERVICE_FILE = "META-INF/service/" + HAService.class.getName();

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong replicatedOffset = new AtomicLong();
    private final WaitNotifyObject waitNotify = new WaitNotifyObject();

    /** Public and without arguments: RocketMQ instantiates it by name. */
    public NoReplicaHAService() {
    }

    @Override
    public void init(DefaultMessageStore store) {
        // nothing to prepare: no listener, no client, no transfer threads
    }

    @Override
    public void start() {
        // nothing to start
    }

    @Override
    public void shutdown() {
        // nothing was started
    }

    @Override
    public void updateMasterAddress(String newAddr) {
        // a master follows nobody
    }

    @Override
    public void updateHaMasterAddress(String newAddr) {
        // a master follows nobody
    }

    /** The master alone. */
    @Override
    public int inSyncReplicasNums(long masterPutWhere) {
        return 1;
    }

    @Override
    public AtomicInteger getConnectionCount() {
        return connections;
    }

    /**
     * Only a send that waits for replicas comes here (a SYNC_MASTER role, which the embedded broker does not
     * have): with none there to wait for, it is told so at once rather than left to time out.
     */
    @Override
    public void putRequest(CommitLog.GroupCommitRequest request) {
        request.wakeupCustomer(PutMessageStatus.SLAVE_NOT_AVAILABLE);
    }

    /** No replica will ever connect. */
    @Override
    public void putGroupConnectionStateRequest(HAConnectionStateNotificationRequest request) {
        request.getRequestFuture().complete(false);
    }

    @Override
    public List<HAConnection> getConnectionList() {
        return List.of();
    }

    /** Only a slave has a client; RocketMQ's own service has none on a master either. */
    @Override
    public HAClient getHAClient() {
        return null;
    }

    @Override
    public AtomicLong getPush2SlaveMaxOffset() {
        return replicatedOffset;
    }

    @Override
    public HARuntimeInfo getRuntimeInfo(long masterPutWhere) {
        HARuntimeInfo info = new HARuntimeInfo();
        info.setMaster(true);
        info.setMasterCommitLogMaxOffset(masterPutWhere);
        info.setInSyncSlaveNums(0);
        return info;
    }

    @Override
    public WaitNotifyObject getWaitNotifyObject() {
        return waitNotify;
    }

    @Override
    public boolean isSlaveOK(long masterPutWhere) {
        return false;
    }

    /** A step of the broker's start, throwing what RocketMQ's methods declare. */
    interface Step {
        boolean run() throws Exception;
    }

    /**
     * Runs a step of the broker's start (its initialization, where the message store is built) so that
     * the store takes this class for its replication service: no HA listener, which RocketMQ would bind on
     * every interface whatever {@code embedded.host} says. The store looks for a replacement with
     * {@code ServiceProvider.loadClass(HAService.class)}, a {@code META-INF/service} file found through the
     * thread's context class loader; a loader that answers that one file is put there for this call only.
     * A file on the class path instead would change every broker started from these jars, the test
     * clusters' separate broker processes included.
     */
    static boolean installedDuring(Step step) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader parent = NoReplicaHAService.class.getClassLoader();
        thread.setContextClassLoader(new ClassLoader(parent) {
            @Override
            public InputStream getResourceAsStream(String name) {
                if (HA_SERVICE_FILE.equals(name)) {
                    return new ByteArrayInputStream(
                        NoReplicaHAService.class.getName().getBytes(StandardCharsets.UTF_8));
                }
                return super.getResourceAsStream(name);
            }
        });
        try {
            return step.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
