package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.TestProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 (also found): the embedded name server and broker took any request from any local process.
 * In the default embedded mode they take only requests signed with the keys the proxy made at its first
 * start (owner-only file in the data folder, used again after a restart); the proxy itself works as before.
 */
class EmbeddedAclIT {
    private static final String TOPIC = "acl-topic";

    @Test
    void defaultEmbeddedMode_refusesUnsignedClients_acceptsTheProxysKeys_keepsThemAcrossRestarts() throws Exception {
        Path data = Files.createTempDirectory("mqproxy-acl");
        TestProxy.Builder builder = TestProxy.builder().embedded(data)
            .producer("acl-producer", TOPIC)
            .consumer("acl-consumer", TOPIC, Map.of("pop", true));
        Path keyFile = data.resolve("broker-admin.keys");
        String keys;
        try (LogCapture logs = LogCapture.attach(Level.DEBUG); TestProxy proxy = builder.start()) {
            assertThat(proxy.client().produce(form("producer", "acl-producer", "message", "through-the-proxy"))
                .status()).isEqualTo(200);
            assertThat(Consumer.bodies(new Consumer(proxy.client(), TOPIC, "acl-consumer").poll()))
                .containsExactly("through-the-proxy");

            assertThat(Files.getPosixFilePermissions(keyFile))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            keys = Files.readString(keyFile);
            Properties p = new Properties();
            p.load(new java.io.StringReader(keys));
            SessionCredentials admin = new SessionCredentials(p.getProperty("accessKey"), p.getProperty("secretKey"));
            ProxyConfig.Embedded broker = proxy.config().embedded();
            String namesrv = "127.0.0.1:" + broker.namesrvPort();
            String brokerAddr = "127.0.0.1:" + broker.brokerPort();

            // No credentials: the broker and the name server refuse reads and writes.
            DefaultMQAdminExt anonymous = admin(namesrv, null);
            DefaultMQProducer anonymousProducer = producer(namesrv, null);
            try {
                // Straight to the broker: a write and a read.
                refused(() -> anonymous.createAndUpdateTopicConfig(brokerAddr, topic("acl-intruder")));
                refused(() -> anonymous.fetchBrokerRuntimeStats(brokerAddr));
                // The name server: the proxy's registry (a KV namespace), routes, the cluster.
                refused(() -> anonymous.createAndUpdateKvConfig("MQPROXY_REGISTRY", "intruder", "{}"));
                refused(() -> anonymous.getKVConfig("MQPROXY_REGISTRY", "revision"));
                refused(() -> anonymous.examineTopicRouteInfo(TOPIC));
                refused(() -> anonymous.examineBrokerClusterInfo());
                assertThatThrownBy(() -> anonymousProducer.send(new Message(TOPIC, "unsigned".getBytes()), 3_000))
                    .isInstanceOf(MQClientException.class);
            } finally {
                anonymous.shutdown();
                anonymousProducer.shutdown();
            }

            // The proxy's keys: the same calls go through.
            RPCHook signed = new AclClientRPCHook(admin);
            DefaultMQAdminExt keyed = admin(namesrv, signed);
            DefaultMQProducer keyedProducer = producer(namesrv, signed);
            try {
                keyed.createAndUpdateTopicConfig(brokerAddr, topic("acl-admin-topic"));
                keyed.createAndUpdateKvConfig("MQPROXY_ACL_TEST", "k", "v");
                assertThat(keyed.getKVConfig("MQPROXY_ACL_TEST", "k")).isEqualTo("v");
                assertThat(keyed.examineTopicRouteInfo(TOPIC).getQueueDatas()).isNotEmpty();
                assertThat(keyedProducer.send(new Message(TOPIC, "signed".getBytes()), 5_000).getSendStatus())
                    .isEqualTo(SendStatus.SEND_OK);
            } finally {
                keyed.shutdown();
                keyedProducer.shutdown();
            }

            String secret = admin.getSecretKey();
            assertThat(logs.all()).as("the proxy's log").noneMatch(line -> line.contains(secret));
            assertThat(filesHolding(data, secret)).as("files of the data folder holding the secret")
                .containsExactly(keyFile);
        }

        try (TestProxy again = builder.start()) {
            assertThat(Files.readString(keyFile)).as("keys of the first start, used again").isEqualTo(keys);
            assertThat(again.client().produce(form("producer", "acl-producer", "message", "after-restart"))
                .status()).isEqualTo(200);
        }
    }

    /** RocketMQ's NO_PERMISSION, whichever of its two exceptions the client wraps it in. */
    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).satisfies(e -> assertThat(e instanceof MQBrokerException b ? b.getResponseCode()
            : ((MQClientException) e).getResponseCode()).as(e.toString()).isEqualTo(ResponseCode.NO_PERMISSION));
    }

    private static TopicConfig topic(String name) {
        return new TopicConfig(name, 1, 1, PermName.PERM_READ | PermName.PERM_WRITE);
    }

    private static DefaultMQAdminExt admin(String namesrv, RPCHook hook) throws MQClientException {
        DefaultMQAdminExt admin = new DefaultMQAdminExt(hook, 5_000);
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName("acl-admin-" + System.nanoTime());
        admin.setVipChannelEnabled(false);
        admin.start();
        return admin;
    }

    private static DefaultMQProducer producer(String namesrv, RPCHook hook) throws MQClientException {
        DefaultMQProducer producer = new DefaultMQProducer("acl-native-" + System.nanoTime(), hook);
        producer.setNamesrvAddr(namesrv);
        producer.setInstanceName("acl-producer-" + System.nanoTime());
        producer.setVipChannelEnabled(false);
        producer.setRetryTimesWhenSendFailed(0);
        producer.start();
        return producer;
    }

    private static List<Path> filesHolding(Path dir, String secret) throws Exception {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        Function<Path, Boolean> holds = file -> {
            try {
                return indexOf(Files.readAllBytes(file), needle) >= 0;
            } catch (Exception unreadable) {
                return false;
            }
        };
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> holds.apply(f)).toList();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
