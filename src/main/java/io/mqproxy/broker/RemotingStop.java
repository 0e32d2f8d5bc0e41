package io.mqproxy.broker;

import java.lang.reflect.Field;
import org.apache.rocketmq.common.ServiceThread;
import org.apache.rocketmq.remoting.netty.NettyRemotingAbstract;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes RocketMQ's remoting clients and servers stop at once. Each has a channel-event thread that
 * waits on its queue for up to 3 s and is joined, not interrupted, by its {@code shutdown()}: that
 * is 0-3 s per client or server, and a broker plus name server have five. The thread only passes
 * connect and close events to a listener, so interrupting it loses nothing; its later
 * {@code shutdown()} then finds it stopped.
 */
public final class RemotingStop {
    private static final Logger log = LoggerFactory.getLogger(RemotingStop.class);
    private static final Field EVENT_EXECUTOR = eventExecutorField();

    private RemotingStop() {
    }

    /** Interrupts the channel-event thread of a Netty remoting client or server; anything else is left alone. */
    public static void interruptEventThread(Object remoting) {
        if (EVENT_EXECUTOR == null || !(remoting instanceof NettyRemotingAbstract)) {
            return;
        }
        try {
            Object executor = EVENT_EXECUTOR.get(remoting);
            if (executor instanceof ServiceThread thread) {
                thread.shutdown(true);
            }
        } catch (IllegalAccessException | RuntimeException e) {
            // Only slower: the normal shutdown still stops it within 3 s.
            log.debug("could not interrupt the remoting event thread: {}", e.toString());
        }
    }

    private static Field eventExecutorField() {
        try {
            Field f = NettyRemotingAbstract.class.getDeclaredField("nettyEventExecutor");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            log.warn("RocketMQ's remoting event thread not found ({}): stopping takes a few seconds longer",
                e.toString());
            return null;
        }
    }
}
