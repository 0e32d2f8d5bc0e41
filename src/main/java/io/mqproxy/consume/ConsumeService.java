package io.mqproxy.consume;

import io.mqproxy.broker.BrokerQueue;
import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.PopClient;
import io.mqproxy.broker.PopOutcome;
import io.mqproxy.broker.PoppedMessage;
import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.message.MessageText;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import java.time.Clock;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Consumption, free of HTTP. All state lives in the broker (POP): the proxy only turns a request
 * into pops and acks, and the batch it delivered into a signed requestId that any instance accepts.
 */
public final class ConsumeService implements AutoCloseable, RegistryListener {
    private static final long POLLING_FULL_BACKOFF_MILLIS = 200;
    /** Less time than this left: pop once without waiting. */
    private static final long MIN_WAIT_MILLIS = 50;
    /** Why messages that reached no client went back (the status of mqproxy_consume_releases_total). */
    private static final String GIVEN_BACK_CLIENT_GONE = "CLIENT_GONE";
    private static final String GIVEN_BACK_PAUSED = "PAUSED";
    private static final String GIVEN_BACK_STOPPING = "STOPPING";

    private final Registry registry;
    private final PopClient broker;
    private final RequestIdCodec requestIds;
    private final ProxyMetrics metrics;
    private final ProxyConfig.Consume settings;
    private final Semaphore polls;
    private final Semaphore acks;
    private final SettledBatches settled;
    private final BroadcastClients broadcastClients;
    private final LongPollGate gate;
    private final RateLimits rateLimits;
    /**
     * Time rules go by the proxy's clock (a batch's deadline, how long a settled batch is remembered, rates,
     * broadcast clients' idleness). A long poll's wait is real waiting at the broker: it stays on nanoTime.
     */
    private final BatchDeadlines deadlines;
    private final HeldQueueAttempts heldAttempts = new HeldQueueAttempts();
    private volatile boolean stopping;
    /** Long polls waiting for messages: {@link #stopWaiting()} answers them. */
    private final Set<Answer<?>> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger fetchesUnfinished = new AtomicInteger();
    private volatile java.util.function.Consumer<BatchReceipt> settledObserver = receipt -> { };

    /**
     * @param liveInstances how many proxy instances serve the fleet now: each takes its share of a
     *                      group's rate limit
     * @param clock         the proxy's clock (time rules; see {@link #deadlines})
     */
    public ConsumeService(Registry registry, PopClient broker,
                          ClientDirectory clients, RequestIdCodec requestIds, ProxyMetrics metrics,
                          ProxyConfig.Consume settings, IntSupplier liveInstances, Clock clock, ThreadPools pools) {
        this.registry = registry;
        this.broker = broker;
        this.deadlines = new BatchDeadlines(clock);
        this.broadcastClients = new BroadcastClients(clients, registry, clock, pools);
        this.requestIds = requestIds;
        this.metrics = metrics;
        this.settings = settings;
        this.polls = new Semaphore(settings.maxPollsInFlight());
        this.acks = new Semaphore(settings.maxAcksInFlight());
        this.settled = new SettledBatches(settings.maxRememberedBatches(), clock);
        metrics.gauge("mqproxy.consume.remembered.batches", "acked or released batches remembered, so that a "
            + "requestId is used once", settled::size);
        metrics.counter("mqproxy.consume.dead.letters.deferred", "messages past their retry limit left for a later "
            + "attempt because dead-letter work was backed up", broker::deadLettersDeferred);
        this.gate = new LongPollGate(settings.maxBrokerWaitsPerGroup(), pools);
        this.rateLimits = new RateLimits(liveInstances, clock);
        registry.addListener(this);
        // Issue 9's metrics: waiting long polls, dead letters by group.
        metrics.waitingPolls(gate::waitingAtBroker, gate::waitingHere);
        broker.onDeadLettered((brokerGroup, n) -> BrokerGroups.consumerOf(brokerGroup, registry)
            .ifPresent(consumer -> metrics.deadLettered(consumer, n)));
    }

    /** A group paused, limited otherwise or removed: polls waiting for it stop waiting. */
    @Override
    public void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
        String name = before != null ? before.name() : after.name();
        if (after == null || after.rateLimit() != (before == null ? 0 : before.rateLimit())) {
            rateLimits.forget(name);
        }
        if (after == null || after.paused() && (before == null || !before.paused())) {
            gate.dismiss(g -> BrokerGroups.belongsTo(g, name));
        }
    }

    /** Acks the batch the requestId names (if any), then delivers the next one, waiting up to pullTimeout. */
    public CompletableFuture<PollResult> poll(PollRequest r) {
        Poll poll;
        BatchReceipt previous;
        try {
            previous = decode(r);
            poll = plan(r, previous);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        // The operator's policy comes before any permit: a refused poll costs nothing but its ack.
        int allowance = allowance(poll);
        if (allowance == 0) {
            String status = refusal(poll);
            return (previous == null ? CompletableFuture.<String>completedFuture(null)
                : withAckPermit(() -> ack(poll, previous)))
                .thenApply(previousAck -> PollResult.of(status, "", List.of(), List.of(), previousAck, null));
        }
        Poll allowed = poll.limitedTo(allowance);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(poll.pullSeconds);
        return withPollPermit(allowed, () -> previous == null ? fetchAndAnswer(allowed, deadline, null)
            : ack(poll, previous).thenCompose(previousAck -> fetchAndAnswer(allowed, deadline, previousAck)));
    }

    private CompletableFuture<PollResult> fetchAndAnswer(Poll poll, long deadlineNanos, String previousAck) {
        return answer(poll, fetch(poll, deadlineNanos), true, m -> result(poll, m, previousAck),
            () -> PollResult.of(PollResult.PAUSED, "", List.of(), List.of(), previousAck, null));
    }

    /**
     * What a poll's messages become once fetched. One stage on the fetch, not several: a long poll keeps each
     * stage of its chain in memory while it waits, ten thousand idle polls as many times over.
     *
     * @param stoppable whether {@link #stopWaiting()} answers the poll at once (with no messages) while it waits
     */
    private <T> CompletableFuture<T> answer(Poll poll, CompletableFuture<List<PoppedMessage>> fetching,
                                            boolean stoppable, Function<List<PoppedMessage>, T> delivered,
                                            Supplier<T> paused) {
        Answer<T> answer = new Answer<>(poll, delivered, paused);
        if (stoppable && poll.pullSeconds > 0 && !fetching.isDone()) {
            fetchesUnfinished.incrementAndGet();
            waiting.add(answer);
            answer.stoppable = true;
            if (stopping) {
                answer.stopWaiting();
            }
        }
        fetching.whenComplete(answer);
        return answer;
    }

    /**
     * A poll's answer, given when its fetch completes, or earlier (no messages) when the proxy stops. What the
     * fetch brings when the answer was given already, or when the group was paused (or removed) while the poll
     * waited, goes back to the broker at once; the answer is then {@code paused}.
     */
    private final class Answer<T> extends CompletableFuture<T> implements BiConsumer<List<PoppedMessage>, Throwable> {
        private final Poll poll;
        private final Function<List<PoppedMessage>, T> delivered;
        private final Supplier<T> paused;
        /** Registered in {@link #waiting} (and counted in fetchesUnfinished) until the fetch completes. */
        private boolean stoppable;

        Answer(Poll poll, Function<List<PoppedMessage>, T> delivered, Supplier<T> paused) {
            this.poll = poll;
            this.delivered = delivered;
            this.paused = paused;
        }

        void stopWaiting() {
            complete(delivered.apply(List.of()));
        }

        @Override
        public void accept(List<PoppedMessage> messages, Throwable failure) {
            if (stoppable) {
                waiting.remove(this);
            }
            CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
            if (failure != null) {
                completeExceptionally(failure);
            } else if (isDone()) {
                settled = giveBack(poll, messages, GIVEN_BACK_STOPPING);
            } else if (halted(poll)) {
                settled = giveBack(poll, messages, GIVEN_BACK_PAUSED).whenComplete((v, e) -> complete(paused.get()));
            } else {
                rateLimits.delivered(poll.group, messages.size());
                try {
                    if (!complete(delivered.apply(messages))) {
                        // the proxy stopped meanwhile and answered first
                        settled = giveBack(poll, messages, GIVEN_BACK_STOPPING);
                    }
                } catch (RuntimeException e) {
                    completeExceptionally(e);
                }
            }
            if (stoppable) {
                settled.whenComplete((v, e) -> fetchesUnfinished.decrementAndGet());
            }
        }
    }

    /** Messages the group's policy lets this poll take now: 0 when it is paused or over its rate. */
    private int allowance(Poll poll) {
        return poll.group.paused() ? 0 : rateLimits.allowance(poll.group, poll.maxMessages);
    }

    /** What a poll with no allowance answers. */
    private static String refusal(Poll poll) {
        return poll.group.paused() ? PollResult.PAUSED : PollResult.RATE_LIMITED;
    }

    /**
     * Runs a poll's broker work under a poll permit (refused at {@code consume.maxPollsInFlight}), after its
     * broadcast clientId is admitted; the permit is held until the work is done.
     */
    private <T> CompletableFuture<T> withPollPermit(Poll poll, Supplier<CompletableFuture<T>> work) {
        if (!polls.tryAcquire()) {
            metrics.overloaded(ProxyMetrics.BOUND_POLLS);
            return CompletableFuture.failedFuture(Errors.overloaded("polls", settings.maxPollsInFlight()));
        }
        CompletableFuture<T> done;
        try {
            done = poll.clientId == null ? work.get()
                : broadcastClients.admit(poll.group, poll.brokerGroup, poll.clientId).thenCompose(v -> work.get());
        } catch (RuntimeException e) {
            polls.release();
            throw e;
        }
        return done.whenComplete((result, failure) -> polls.release());
    }

    /** Whether the poll's group is now paused or gone. */
    private boolean halted(Poll poll) {
        return registry.consumer(poll.group.name()).map(ConsumerGroup::paused).orElse(true);
    }

    /** Acks the batch without fetching more. */
    public CompletableFuture<AckResult> ack(PollRequest r) {
        BatchReceipt receipt;
        Poll poll;
        try {
            receipt = decode(r);
            poll = plan(r, receipt);
            required(receipt);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        return withAckPermit(() -> ack(poll, receipt).thenApply(status -> new AckResult(status,
            receipt.handles().size())));
    }

    /**
     * Gives the batch back so that it is delivered again after {@code delaySeconds} (0: at once). Not
     * once its consumeTimeout has (nearly) passed: the broker is then delivering it again already, and
     * a release would reserve it a second time, for a second copy.
     */
    public CompletableFuture<AckResult> release(PollRequest r, int delaySeconds) {
        return releaseAfterMillis(r, TimeUnit.SECONDS.toMillis(delaySeconds));
    }

    /** {@link #release(PollRequest, int)} with a delay in milliseconds (push back-off). */
    public CompletableFuture<AckResult> releaseAfterMillis(PollRequest r, long delayMillis) {
        BatchReceipt receipt;
        Poll poll;
        try {
            receipt = decode(r);
            poll = plan(r, receipt);
            required(receipt);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        int count = receipt.handles().size();
        if (deadlines.tooLateToGiveBack(receipt)) {
            metrics.released(poll.group.name(), count, AckResult.EXPIRED);
            return CompletableFuture.completedFuture(new AckResult(AckResult.EXPIRED, count));
        }
        return withAckPermit(() -> settled.settleOnce(poll.brokerGroup, receipt, SettledBatches.Settlement.RELEASED,
            () -> broker.changeInvisibleTime(poll.brokerGroup, poll.group.topic(), receipt.handles(), delayMillis)
                .thenApply(renewed -> {
                    // Queue-held groups: the broker ignores a release of an acked message and says so (popTime 0),
                    // also when the ack went through another proxy instance.
                    boolean wasAcked = renewed.stream().allMatch(h -> h.popTime() == 0);
                    return new AckResult(wasAcked ? AckResult.ALREADY_ACKED : AckResult.OK, count);
                }),
            before -> new AckResult(AckResult.already(before), count))
            .whenComplete((result, failure) -> {
                if (result != null) {
                    metrics.released(poll.group.name(), count, result.status());
                    settledObserver.accept(receipt);
                }
            }));
    }

    /**
     * A batch was taken from the broker for a client that did not get it (it left before the answer
     * was written): it is made deliverable again at once instead of after consumeTimeout, and the take
     * does not count as a delivery (see {@link #giveBack}).
     */
    public void returnUndelivered(PollResult undelivered) {
        if (PollResult.FOUND.equals(undelivered.status())) {
            returnUndelivered(undelivered.requestId());
        }
    }

    /** One message of {@link #pollEach} that its client did not get (the write failed): as above. */
    public CompletableFuture<Void> returnUndelivered(Delivery undelivered) {
        return returnUndelivered(undelivered.token());
    }

    private CompletableFuture<Void> returnUndelivered(String requestId) {
        BatchReceipt receipt = requestIds.decode(requestId);
        String brokerGroup = BrokerGroups.forClient(receipt.consumer(), receipt.clientId());
        metrics.released(receipt.consumer(), receipt.handles().size(), GIVEN_BACK_CLIENT_GONE);
        return settled.settleOnce(brokerGroup, receipt, SettledBatches.Settlement.RELEASED,
            () -> giveBack(brokerGroup, receipt.topic(), receipt.handles()), before -> null);
    }

    /** Acks, unlocks and nacks are bounded too: each holds broker calls and memory while it runs. */
    private <T> CompletableFuture<T> withAckPermit(Supplier<CompletableFuture<T>> work) {
        if (!acks.tryAcquire()) {
            metrics.overloaded(ProxyMetrics.BOUND_ACKS);
            return CompletableFuture.failedFuture(Errors.overloaded("acks, unlocks and nacks",
                settings.maxAcksInFlight()));
        }
        try {
            return work.get().whenComplete((v, e) -> acks.release());
        } catch (RuntimeException e) {
            acks.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A request checked against its group: what to pop, from which broker group, how. */
    private record Poll(ConsumerGroup group, String brokerGroup, String clientId, int maxMessages,
                        int consumeTimeoutSeconds, int pullSeconds, java.util.function.BooleanSupplier clientGone) {
        long invisibleMillis() {
            return TimeUnit.SECONDS.toMillis(consumeTimeoutSeconds);
        }

        Poll limitedTo(int messages) {
            return messages >= maxMessages ? this : new Poll(group, brokerGroup, clientId, messages,
                consumeTimeoutSeconds, pullSeconds, clientGone);
        }
    }

    /**
     * @param receipt the batch the request acknowledges, if any: it supplies a broadcast clientId that
     *                the request leaves out, as the original's client does when it acks
     */
    private Poll plan(PollRequest r, BatchReceipt receipt) {
        String consumer = name("consumer", r.consumer(), ResourceNames.MAX_GROUP_LENGTH);
        String topic = name("topic", r.topic(), ResourceNames.MAX_TOPIC_LENGTH);
        ConsumerGroup group = registry.consumer(consumer).orElseThrow(() -> Errors.badParam("consumer",
            "unknown consumer '" + consumer + "': it must be registered with its topic"));
        if (!group.topic().equals(topic)) {
            throw Errors.badParam("topic", "consumer '" + consumer + "' consumes topic '" + group.topic()
                + "', not '" + topic + "'");
        }
        if (r.pop() != null && r.pop() != group.pop()) {
            throw Errors.badParam("pop", "consumer '" + consumer + "' is " + (group.pop()
                ? "concurrent (pop=true)" : "queue-held, in order (pop=false)")
                + "; the mode is the group's, set by the operator");
        }
        String clientId = null;
        if (group.broadcast()) {
            clientId = r.clientId() != null && !r.clientId().isEmpty() ? r.clientId()
                : receipt != null ? receipt.clientId() : null;
            if (clientId == null || clientId.isEmpty()) {
                throw Errors.badParam("clientId", "is required: consumer '" + consumer + "' is a broadcast consumer");
            }
            if (clientId.length() > 256) {
                throw Errors.badParam("clientId", "at most 256 characters, got " + clientId.length());
            }
        }
        int timeout = r.consumeTimeoutSeconds() != null ? r.consumeTimeoutSeconds() : group.consumeTimeoutSeconds();
        if (timeout < group.minConsumeTimeoutSeconds()) {
            throw Errors.badParam("consumeTimeout", "must be " + group.minConsumeTimeoutSeconds() + ".."
                + ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS + " seconds, got "
                + timeout);
        }
        if (receipt != null && (!receipt.consumer().equals(consumer) || !receipt.topic().equals(topic)
            || !java.util.Objects.equals(receipt.clientId(), clientId))) {
            throw Errors.badParam("requestId", "was issued to consumer '" + receipt.consumer() + "' on topic '"
                + receipt.topic() + "'" + (receipt.clientId() != null ? " for clientId '" + receipt.clientId() + "'" : "")
                + ", not to this one");
        }
        // The registry's own name, not the request's copy: a waiting poll then holds no string of its request.
        return new Poll(group, BrokerGroups.forClient(group.name(), clientId), clientId,
            r.maxPullSize() != null ? r.maxPullSize() : group.maxPullSize(),
            // Past the group's cap a client gets the cap, and is told so in the result: in a queue-held group
            // a forgotten batch blocks its queue for as long as it is reserved.
            Math.min(timeout, group.consumeTimeoutCap()),
            r.pullTimeoutSeconds() != null ? r.pullTimeoutSeconds() : group.pullTimeoutSeconds(),
            r.clientGone() != null ? r.clientGone() : () -> false);
    }

    private static String name(String param, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw Errors.missing(param);
        }
        String broken = ResourceNames.check(value, max);
        if (broken != null) {
            throw Errors.badParam(param, broken);
        }
        return value;
    }

    private BatchReceipt decode(PollRequest r) {
        return r.requestId() == null || r.requestId().isEmpty() ? null : requestIds.decode(r.requestId());
    }

    private static void required(BatchReceipt receipt) {
        if (receipt == null) {
            throw Errors.missing("requestId");
        }
    }

    /**
     * Acks the batch once. A requestId used before through this instance is answered with what became
     * of it, and the broker is not asked again (it would answer success either way).
     */
    private CompletableFuture<String> ack(Poll poll, BatchReceipt receipt) {
        String brokerGroup = BrokerGroups.forClient(receipt.consumer(), receipt.clientId());
        // Stale acks are silent at the broker, so lateness is read from the handles' own deadline.
        String status = deadlines.ackStatus(receipt);
        return settled.settleOnce(brokerGroup, receipt, SettledBatches.Settlement.ACKED,
            () -> broker.ack(brokerGroup, receipt.topic(), receipt.handles()).thenApply(v -> {
                metrics.acked(poll.group.name(), receipt.handles().size(), status);
                return status;
            }),
            AckResult::already)
            .whenComplete((acked, failure) -> {
                if (failure == null) {
                    settledObserver.accept(receipt);
                }
            });
    }

    /**
     * Pops until a message comes or the deadline passes. Each wait at the broker is bounded by a
     * slice, so a wake-up the broker misses costs at most one slice, and by the gate, so idle polls
     * beyond the broker's limit wait here instead of spinning on "polling full".
     */
    private CompletableFuture<List<PoppedMessage>> fetch(Poll poll, long deadlineNanos) {
        long remainingMillis = millisLeft(deadlineNanos);
        if (!mayTake(poll)) {
            return nothing();
        }
        if (remainingMillis < MIN_WAIT_MILLIS) {
            return pop(poll, 0).thenCompose(outcome -> deliver(poll, outcome, ConsumeService::nothing));
        }
        return gate.enter(poll.brokerGroup, deadlineNanos, poll.clientGone).thenCompose(grant -> switch (grant) {
            case NONE -> nothing();
            // A turn may come long after the poll queued for it: checked again, as a take would have to be given back.
            case IMMEDIATE, WAIT -> takeTurn(poll, grant, deadlineNanos);
        });
    }

    /**
     * Whether a pop may take messages for this poll now: not once the proxy stops, the group is paused or
     * gone, or the client left. What a pop takes after that has to be given back; checked before each pop,
     * as a pop the broker holds cannot be called off.
     */
    private boolean mayTake(Poll poll) {
        return !stopping && !halted(poll) && !poll.clientGone.getAsBoolean();
    }

    private CompletableFuture<List<PoppedMessage>> takeTurn(Poll poll, LongPollGate.Grant grant, long deadlineNanos) {
        if (!mayTake(poll)) {
            if (grant == LongPollGate.Grant.WAIT) {
                gate.leave(poll.brokerGroup, false);
            }
            return nothing();
        }
        return switch (grant) {
            case NONE -> nothing();
            case IMMEDIATE -> pop(poll, 0).thenCompose(outcome -> {
                if (mayHaveMore(poll, outcome)) {
                    gate.found(poll.brokerGroup);
                }
                return deliver(poll, outcome, () -> fetch(poll, deadlineNanos));
            });
            // What is left when the turn comes: a poll may have been queued for most of its pullTimeout.
            case WAIT -> pop(poll, Math.min(Math.max(0, millisLeft(deadlineNanos)), slice()))
                .whenComplete((outcome, failure) -> gate.leave(poll.brokerGroup, mayHaveMore(poll, outcome)))
                .thenCompose(outcome -> deliver(poll, outcome, () -> fetch(poll, deadlineNanos)));
        };
    }

    private static long millisLeft(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    /**
     * A pop that came back full may have left messages behind, so queued polls are woken to take them;
     * one that came back with fewer took what the broker had, and later arrivals wake the polls waiting
     * at the broker. Waking queued polls for a lone message cost four empty pops each time.
     */
    private static boolean mayHaveMore(Poll poll, PopOutcome outcome) {
        return outcome != null && outcome.kind() == PopOutcome.Kind.FOUND
            && outcome.messages().size() >= Math.min(poll.maxMessages, PopClient.MAX_PER_POP);
    }

    /**
     * One wait at the broker: between three quarters of the slice and the whole of it. Polls that began
     * together (clients started at once, a burst answered) would otherwise all come back from the
     * broker together, every slice, and a message arriving then would queue behind hundreds of pops.
     */
    private long slice() {
        long slice = settings.longPollSliceMillis();
        return ThreadLocalRandom.current().nextLong(slice - slice / 4, slice + 1);
    }

    private CompletableFuture<PopOutcome> pop(Poll poll, long pollMillis) {
        if (poll.group.pop()) {
            return broker.pop(poll.brokerGroup, poll.group.topic(), poll.maxMessages, poll.invisibleMillis(),
                pollMillis, false, poll.group.maxRetries(), poll.group.filter());
        }
        HeldQueueAttempts.Hint hint = heldAttempts.take(poll.brokerGroup);
        if (hint == null) {
            return popHeld(poll, pollMillis, heldAttempts.newAttempt(), null);
        }
        // A queue given back undelivered first, under the attempt that took it: its messages keep their count.
        // Empty when another pop took the queue meanwhile (the broker then blocks this attemptId): pop as usual.
        return popHeld(poll, 0, hint.attemptId(), hint.queue())
            .handle((outcome, failure) -> failure == null && outcome.kind() == PopOutcome.Kind.FOUND
                ? CompletableFuture.completedFuture(outcome)
                : popHeld(poll, pollMillis, heldAttempts.newAttempt(), null))
            .thenCompose(next -> next);
    }

    /** An orderly pop under an attemptId of its own (see {@link HeldQueueAttempts}). */
    private CompletableFuture<PopOutcome> popHeld(Poll poll, long pollMillis, String attemptId, BrokerQueue queue) {
        return broker.pop(poll.brokerGroup, poll.group.topic(), poll.maxMessages, poll.invisibleMillis(), pollMillis,
                true, poll.group.maxRetries(), attemptId, queue, poll.group.filter())
            .thenApply(outcome -> {
                heldAttempts.issued(attemptId, outcome.messages());
                return outcome;
            });
    }

    /** What to do with a pop's outcome: deliver it, report a pause, or go on waiting. */
    private CompletableFuture<List<PoppedMessage>> deliver(Poll poll, PopOutcome outcome,
                                                           Supplier<CompletableFuture<List<PoppedMessage>>> waitMore) {
        if (poll.clientGone.getAsBoolean()) {
            return giveBack(poll, outcome.messages(), GIVEN_BACK_CLIENT_GONE).thenApply(v -> List.<PoppedMessage>of());
        }
        switch (outcome.kind()) {
            case FOUND:
                return topUp(poll, new ArrayList<>(outcome.messages()));
            case POLLING_FULL:
                // Another instance holds the broker's waiting slots: try again shortly.
                Executor later = CompletableFuture.delayedExecutor(POLLING_FULL_BACKOFF_MILLIS, TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(waitMore, later).thenCompose(next -> next);
            default:
                return waitMore.get();
        }
    }

    private static CompletableFuture<List<PoppedMessage>> nothing() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * A broker pop returns at most 32: more are popped at once, without waiting, up to maxPullSize.
     * Not in queue-held mode: each orderly pop holds every queue it took from until the batch is
     * acked, so topping up would let one client hold the whole group.
     */
    private CompletableFuture<List<PoppedMessage>> topUp(Poll poll, List<PoppedMessage> got) {
        int missing = poll.maxMessages - got.size();
        if (missing <= 0 || got.size() % PopClient.MAX_PER_POP != 0 || !poll.group.pop() || !mayTake(poll)) {
            return CompletableFuture.completedFuture(got);
        }
        return broker.pop(poll.brokerGroup, poll.group.topic(), missing, poll.invisibleMillis(), 0, !poll.group.pop(),
                poll.group.maxRetries(), poll.group.filter())
            .handle((outcome, failure) -> {
                if (failure == null && outcome.kind() == PopOutcome.Kind.FOUND) {
                    got.addAll(outcome.messages());
                    return topUp(poll, got);
                }
                return CompletableFuture.completedFuture(got);
            })
            .thenCompose(f -> f);
    }

    /** What was popped for a client that left (or a group paused meanwhile) is made visible again at once. */
    private CompletableFuture<Void> giveBack(Poll poll, List<PoppedMessage> messages, String why) {
        if (messages.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        metrics.released(poll.group.name(), messages.size(), why);
        return giveBack(poll.brokerGroup, poll.group.topic(), messages.stream().map(PoppedMessage::handle).toList())
            .exceptionally(e -> null);
    }

    /**
     * Gives back messages that reached no client. They are not a delivery, so they must not spend the
     * group's retry budget (maxRetries) nor show in the next deliveryCount. Plain POP messages go back
     * with the broker's "suspend" flag, which keeps their reconsumeTimes. Queue-held ones are counted by
     * the broker at their next pop unless it names the attemptId that took them: this instance's next pop
     * for the group does ({@link HeldQueueAttempts}); another instance's pop still counts it.
     */
    private CompletableFuture<Void> giveBack(String brokerGroup, String topic, List<ReceiptHandle> handles) {
        return broker.giveBackUndelivered(brokerGroup, topic, handles).thenApply(renewed -> {
            // Queue-held groups: the broker ignores the flag; the next pop takes the queue back uncounted.
            heldAttempts.givenBack(brokerGroup, handles);
            return null;
        });
    }

    /** A popped message as its client sees it. */
    private static DeliveredMessage delivered(PoppedMessage m) {
        MessageText body = MessageText.of(m.body());
        return new DeliveredMessage(m.messageId(), body, body.encoding(), m.bornTimestamp(), m.keys(), m.tags(),
            m.properties().isEmpty() ? null : m.properties(), m.reconsumeTimes() + 1);
    }

    private PollResult result(Poll poll, List<PoppedMessage> messages, String previousAck) {
        List<DeliveredMessage> fresh = new ArrayList<>();
        List<DeliveredMessage> retried = new ArrayList<>();
        for (PoppedMessage m : messages) {
            (m.reconsumeTimes() > 0 ? retried : fresh).add(delivered(m));
        }
        if (messages.isEmpty()) {
            return PollResult.of(PollResult.NO_NEW_MSG, "", fresh, retried, previousAck, null);
        }
        metrics.delivered(poll.group.name(), fresh.size(), retried.size());
        String requestId = requestIds.encode(new BatchReceipt(poll.group.name(), poll.group.topic(), poll.clientId,
            messages.stream().map(PoppedMessage::handle).toList()));
        return PollResult.of(PollResult.FOUND, requestId, fresh, retried, previousAck, poll.consumeTimeoutSeconds);
    }

    // ---- push delivery (issue 12): pops for the proxy's own clients, a token per message

    /**
     * Told of every batch this instance acked or gave back (also a token of one message): an event
     * stream frees the slot of a message its client acked.
     */
    public void onSettled(java.util.function.Consumer<BatchReceipt> observer) {
        settledObserver = observer;
    }

    /**
     * Pops for a client of the proxy's own (a webhook pusher, an event stream) as {@link #poll} does for
     * an HTTP client, with its checks, pause, rate limit and bounds. Each message comes with a token of its
     * own: a requestId naming that message alone, which {@code /mq/ack}, {@code /mq/unlock} and
     * {@code /mq/nack} take like any other, so each can be settled apart; the batch has one for all.
     */
    public CompletableFuture<Deliveries> pollEach(PollRequest r) {
        Poll poll;
        try {
            poll = plan(r, null);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        int allowance = allowance(poll);
        if (allowance == 0) {
            return CompletableFuture.completedFuture(Deliveries.none(refusal(poll)));
        }
        Poll allowed = poll.limitedTo(allowance);
        return withPollPermit(allowed, () -> answer(allowed,
            fetch(allowed, System.nanoTime() + TimeUnit.SECONDS.toNanos(poll.pullSeconds)), false,
            m -> each(allowed, m), () -> Deliveries.none(PollResult.PAUSED)));
    }

    /** What {@link #pollEach} delivered and its client did not get: deliverable again at once. */
    public void returnUndelivered(Deliveries undelivered) {
        if (PollResult.FOUND.equals(undelivered.status())) {
            returnUndelivered(PollResult.of(PollResult.FOUND, undelivered.batchToken(), List.of(), List.of(), null,
                null));
        }
    }

    private Deliveries each(Poll poll, List<PoppedMessage> messages) {
        if (messages.isEmpty()) {
            return Deliveries.none(PollResult.NO_NEW_MSG);
        }
        List<Delivery> each = new ArrayList<>(messages.size());
        int retried = 0;
        for (PoppedMessage m : messages) {
            retried += m.reconsumeTimes() > 0 ? 1 : 0;
            each.add(new Delivery(delivered(m), requestIds.encode(new BatchReceipt(poll.group.name(), poll.group.topic(),
                poll.clientId, List.of(m.handle()))), m.handle()));
        }
        metrics.delivered(poll.group.name(), messages.size() - retried, retried);
        String batch = each.size() == 1 ? each.get(0).token() : requestIds.encode(new BatchReceipt(poll.group.name(),
            poll.group.topic(), poll.clientId, messages.stream().map(PoppedMessage::handle).toList()));
        return new Deliveries(PollResult.FOUND, batch, List.copyOf(each), poll.consumeTimeoutSeconds);
    }

    /** The proxy is stopping: waiting long polls answer now, others at their next turn. */
    public void stopWaiting() {
        stopping = true;
        waiting.forEach(Answer::stopWaiting);
    }

    /**
     * Waits (bounded by one long-poll slice and the RPC margin) for polls in flight, and for the broker
     * pops of polls answered at stop, so that what they popped is delivered or given back before the
     * broker clients close.
     */
    @Override
    public void close() {
        broadcastClients.close();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.longPollSliceMillis() + 3_000L);
        try {
            if (polls.tryAcquire(settings.maxPollsInFlight(), deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                polls.release(settings.maxPollsInFlight());
            }
            while (fetchesUnfinished.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gate.close();
        }
    }
}
