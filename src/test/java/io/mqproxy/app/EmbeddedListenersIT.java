package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ListeningSockets;
import io.mqproxy.testing.ListeningSockets.Listener;
import io.mqproxy.testing.TestProxy;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, finding 1: the embedded broker's HA port served the whole commit log to anyone, on every
 * interface. Every socket the embedded proxy listens on is bound to {@code embedded.host} /
 * {@code http.host} (loopback here), and the broker runs no replication listener at all.
 *
 * <p>The test JVM holds other listeners (the shared test broker if an earlier class started it, servers of
 * other tests still closing): the check covers the listeners this process gained while this proxy and its
 * broker started. A test JVM runs its classes one after another, so nothing else opens a listener meanwhile.
 */
class EmbeddedListenersIT {
    @Test
    void embeddedProxy_listensOnLoopbackOnly_andHasNoReplicationPort() throws Exception {
        Path data = Files.createTempDirectory("mqproxy-listeners");
        Set<Listener> before = ListeningSockets.ofThisProcess();
        try (TestProxy proxy = TestProxy.builder().embedded(data)
            .producer("listeners-producer", "listeners-topic")
            .consumer("listeners-consumer", "listeners-topic", Map.of("pop", true)).start()) {
            Set<Listener> opened = new LinkedHashSet<>(ListeningSockets.ofThisProcess());
            opened.removeAll(before);
            ProxyConfig.Embedded broker = proxy.config().embedded();
            Set<Integer> ports = opened.stream().map(Listener::port).collect(Collectors.toSet());

            assertThat(ports).as("listeners opened by the start: %s", opened)
                .contains(broker.namesrvPort(), broker.brokerPort(), broker.brokerPort() - 2,
                    proxy.config().http().producePort(), proxy.config().http().consumePort(),
                    proxy.config().admin().port());
            assertThat(opened).as("every listener bound to loopback, none to every interface")
                .allSatisfy(l -> assertThat(l.address().isLoopbackAddress()).as(l.toString()).isTrue());
            assertThat(ports).as("no replication (HA) listener").doesNotContain(broker.brokerPort() + 1);
            assertRefused(InetAddress.getLoopbackAddress(), broker.brokerPort() + 1);
            // From another interface of this host, as a neighbour on its network would connect.
            for (InetAddress other : otherInterfaces()) {
                for (int port : new int[] {broker.namesrvPort(), broker.brokerPort(), broker.brokerPort() - 2,
                    broker.brokerPort() + 1}) {
                    assertRefused(other, port);
                }
            }

            // The data path is whole without replication.
            assertThat(proxy.client().produce(form("producer", "listeners-producer", "message", "m1")).status())
                .isEqualTo(200);
            Consumer c = new Consumer(proxy.client(), "listeners-topic", "listeners-consumer");
            assertThat(Consumer.bodies(c.poll())).containsExactly("m1");
        }
    }

    private static void assertRefused(InetAddress address, int port) throws Exception {
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(address, port), 2_000))
                .as("a connection to %s:%d", address.getHostAddress(), port).isInstanceOf(ConnectException.class);
        }
    }

    /** This host's addresses other than loopback (none on a machine with loopback only). */
    private static List<InetAddress> otherInterfaces() throws Exception {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLinkLocalAddress())
            .toList();
    }
}
