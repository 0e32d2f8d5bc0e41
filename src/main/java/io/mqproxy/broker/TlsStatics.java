package io.mqproxy.broker;

import java.util.concurrent.Callable;
import org.apache.rocketmq.remoting.common.TlsMode;
import org.apache.rocketmq.remoting.netty.TlsSystemConfig;

/**
 * RocketMQ keeps its TLS settings in process-wide statics ({@link TlsSystemConfig}), read when a remoting
 * server or client is built. Whoever changes them for a moment (the proxy's clients, an embedded broker's
 * servers) does so under this one lock and puts the previous values back, so nothing else in the JVM
 * builds a server or client with settings meant for another.
 */
public final class TlsStatics {
    static final Object LOCK = new Object();

    private TlsStatics() {
    }

    /**
     * Runs {@code build} with server TLS switched off ({@code tls.server.mode=disabled}): remoting servers
     * built meanwhile neither make an SSL context (about 2 s at a JVM's first, longer on a loaded machine)
     * nor accept TLS, and the name server and broker watch no certificate files.
     */
    public static <T> T serversWithoutTls(Callable<T> build) throws Exception {
        synchronized (LOCK) {
            TlsMode saved = TlsSystemConfig.tlsMode;
            TlsSystemConfig.tlsMode = TlsMode.DISABLED;
            try {
                return build.call();
            } finally {
                TlsSystemConfig.tlsMode = saved;
            }
        }
    }
}
