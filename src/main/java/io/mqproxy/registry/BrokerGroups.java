package io.mqproxy.registry;

import io.mqproxy.config.ResourceNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The RocketMQ consumer group that holds a client's progress. A clustering consumer is its own
 * group; each broadcast clientId gets a group of its own, named from a hash of the clientId, so any
 * clientId (an IP, {@code host:port}, non-ASCII text) maps to a legal name and two never share one.
 * The name has no {@code _} or {@code %}: RocketMQ derives retry topics with {@code _} and
 * namespaces with {@code %}. The registry's rule, since consumption, the control plane and the
 * monitor all name a client's group by it.
 */
public final class BrokerGroups {
    static final String BROADCAST_INFIX = ResourceNames.BROADCAST_INFIX;

    private BrokerGroups() {
    }

    /** Whether a broker group is the consumer's own or one of its broadcast clientIds'. */
    public static boolean belongsTo(String brokerGroup, String consumer) {
        return brokerGroup.equals(consumer) || brokerGroup.startsWith(consumer + BROADCAST_INFIX);
    }

    /** The registered consumer a broker group belongs to (itself, or one of its broadcast clientIds'). */
    public static Optional<String> consumerOf(String brokerGroup, Registry registry) {
        if (registry.consumer(brokerGroup).isPresent()) {
            return Optional.of(brokerGroup);
        }
        int infix = brokerGroup.lastIndexOf(BROADCAST_INFIX);
        if (infix > 0 && registry.consumer(brokerGroup.substring(0, infix)).isPresent()) {
            return Optional.of(brokerGroup.substring(0, infix));
        }
        return Optional.empty();
    }

    /** The broker group of a consumer, or of one of its broadcast clientIds. */
    public static String forClient(String consumer, String clientId) {
        if (clientId == null) {
            return consumer;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(clientId.getBytes(StandardCharsets.UTF_8));
            return consumer + BROADCAST_INFIX + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
