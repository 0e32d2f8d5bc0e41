package io.mqproxy.control;

import static io.mqproxy.control.CommandChecks.brokerGroup;
import static io.mqproxy.control.CommandChecks.requireConcurrent;

import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.GroupAdmin;
import io.mqproxy.broker.GroupAdmin.QueueOffset;
import io.mqproxy.broker.GroupAdmin.StoredMessage;
import io.mqproxy.broker.MessageFinder;
import io.mqproxy.broker.TopicAdmin;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Changes made at the broker to what a group reads, one message or one position at a time: reset an
 * offset, deliver one message again, release the queues a queue-held group's clients hold; and the
 * looks that change nothing: a group's next messages (peek), messages by id, key or time. Also the
 * console's test message. Changes are audited, reads are not ({@link AuditedCalls}). Dead letters and
 * their redrive are {@link RedriveCommands}'.
 */
public final class OperationCommands {
    private final Registry registry;
    private final TopicAdmin topics;
    private final GroupAdmin groups;
    private final ClientDirectory clients;
    private final ProxyMetrics metrics;
    private final MessageLookup messages;
    private final AuditedCalls calls;

    OperationCommands(Registry registry, TopicAdmin topics, GroupAdmin groups, ClientDirectory clients,
                      MessageFinder finder, int messageBodyPreviewBytes, ProxyMetrics metrics, RedriveCommands redrives,
                      AuditedCalls calls) {
        this.registry = registry;
        this.topics = topics;
        this.groups = groups;
        this.clients = clients;
        this.metrics = metrics;
        this.messages = new MessageLookup(registry, finder, groups, messageBodyPreviewBytes, redrives::redriveMarks);
        this.calls = calls;
    }


    // ---- finding messages (reads: not audited)

    /** A message by id (every stored copy), with where it is for each group of its topic when asked. */
    public CompletableFuture<List<MessageLookup.MessageView>> message(String topic, String id, boolean states,
                                                                     String clientId, boolean fullBody) {
        return calls.run(() -> messages.byId(topic, id, states, clientId, fullBody));
    }

    public CompletableFuture<List<MessageLookup.MessageView>> messagesByKey(String topic, String key, long since,
                                                                           long until, int limit, boolean fullBody) {
        return calls.run(() -> messages.byKey(topic, key, since, until, limit, fullBody));
    }

    public CompletableFuture<MessageLookup.PageView> messagesByTime(String topic, long since, long until, String tag,
                                                                   int pageSize, String cursor, boolean fullBody) {
        return calls.run(() -> messages.byTime(topic, since, until, tag, pageSize, cursor, fullBody));
    }

    /**
     * Moves where a group (or one broadcast clientId) reads: {@code timestamp} 0 is the earliest
     * message, a negative one the end (skip the backlog), else the first message stored at or after
     * it. Pending retries are dropped; batches already handed out are not recalled (their acks still
     * work, and those not acked come back once); polls waiting at the broker see the new position
     * within a long-poll slice.
     */
    public CompletableFuture<List<QueueOffset>> reset(Actor actor, String name, String clientId, long timestamp) {
        return calls.run(() -> {
            ConsumerGroup g = consumer(name);
            String brokerGroup = brokerGroup(g, clientId);
            return calls.changed(actor, "reset-offset", name, clientId, null,
                () -> groups.reset(g.topic(), brokerGroup, timestamp), () -> groups.offsets(g.topic(), brokerGroup));
        });
    }

    /**
     * Delivers one message again, by id, to the group (or one broadcast clientId, or every clientId
     * when {@code clientId} is "*"): it arrives in retryMsgList with its id, keys and properties.
     *
     * @return how many broker groups (the group, or its clientIds) it was delivered to
     */
    public CompletableFuture<Integer> redeliver(Actor actor, String name, String clientId, String messageId) {
        return calls.run(() -> {
            ConsumerGroup g = consumer(name);
            requireConcurrent(g, "re-delivery");
            if (messageId == null || messageId.isBlank()) {
                throw Errors.missing("messageId");
            }
            StoredMessage m = groups.find(g.topic(), messageId);
            if (m == null) {
                throw Errors.notFound("message '" + messageId + "' in topic '" + g.topic() + "'");
            }
            List<String> targets = targets(g, clientId);
            return calls.changed(actor, "redeliver", name, clientId, null, () -> {
                for (String brokerGroup : targets) {
                    groups.redeliver(g.topic(), brokerGroup, m);
                    metrics.redeliveredByOperator(name, ProxyMetrics.REDELIVER, 1);
                }
            }, targets::size);
        });
    }

    /**
     * Lets go of the queues that clients of a queue-held group hold (all, or one broker's, or one),
     * so that a client that took a batch and never came back stops blocking them. What it had not
     * acked is delivered again to the next client.
     */
    public CompletableFuture<List<TopicAdmin.ReleasedQueue>> releaseHeldQueues(Actor actor, String group,
                                                                              String clientId, String brokerName,
                                                                              Integer queueId) {
        return calls.run(() -> {
            ConsumerGroup consumer = consumer(group);
            if (consumer.pop()) {
                throw Errors.badParam("group", "'" + group + "' is concurrent (pop=true): no client holds a queue "
                    + "there");
            }
            String brokerGroup = brokerGroup(consumer, clientId);
            List<TopicAdmin.ReleasedQueue> released = new ArrayList<>();
            return calls.changed(actor, "release-held-queues", group, clientId, null,
                () -> released.addAll(topics.releaseHeldQueues(consumer.topic(), brokerGroup, brokerName, queueId)),
                () -> released);
        });
    }

    // ---- the console's debug tools (issue 13)

    /**
     * The group's (or one broadcast clientId's) next messages, read after its committed offsets without
     * reserving anything: a look, not a consumption (not audited, like the other reads).
     */
    public CompletableFuture<List<GroupAdmin.Peeked>> peek(String name, String clientId, int limit) {
        return calls.run(() -> {
            ConsumerGroup g = consumer(name);
            return groups.peek(g.topic(), brokerGroup(g, clientId), limit);
        });
    }

    /**
     * Sends an operator's test message through a registered producer ({@code send} does it, through
     * the produce service): audited, since it is a real message that the topic's consumers receive.
     */
    public <T> CompletableFuture<T> sendTestMessage(Actor actor, String producer,
                                                    java.util.function.Supplier<CompletableFuture<T>> send) {
        return calls.run(() -> {
            registry.producer(producer).orElseThrow(() -> Errors.notFound("producer '" + producer + "'"));
            return calls.changed(actor, "test-message", producer, null, null, () -> { }, () -> {
                try {
                    return send.get().get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof ProxyError error) {
                        throw error;
                    }
                    throw e;
                }
            });
        });
    }

    private ConsumerGroup consumer(String name) {
        return CommandChecks.consumer(registry, name);
    }

    /** The broker groups a message goes to: the group's, one clientId's, or every clientId's ("*"). */
    private List<String> targets(ConsumerGroup g, String clientId) {
        if (g.broadcast() && "*".equals(clientId)) {
            return clients.entries(g.name()).join().stream().map(ClientDirectory.Entry::brokerGroup).toList();
        }
        return List.of(brokerGroup(g, clientId));
    }
}
