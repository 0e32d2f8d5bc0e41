package io.mqproxy.broker;

import java.nio.file.Path;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/** Process-wide settings RocketMQ reads once, when its first classes load: call before anything else. */
public final class RocketMqRuntime {
    private RocketMqRuntime() {
    }

    /**
     * @param logDir where RocketMQ's own logs go (not the user's home)
     */
    public static void prepare(Path logDir) {
        // Without it the name server registers an embedded broker with no topics ("No route info").
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        System.setProperty("mqproxy.rocketmqLogDir", logDir.toAbsolutePath().toString());
        System.setProperty("rocketmq.log.root", logDir.toAbsolutePath().toString());
        System.setProperty("rmq.logback.configurationFile", "mqproxy-rocketmq-logback.xml");
    }
}
