package io.mqproxy.consume;

import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.Pops;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistryListener;
import io.mqproxy.threads.ThreadPools;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Consumption, free of HTTP. All state lives in the broker (POP): the proxy only turns a request
 * into pops and acks, and the batch it delivered into a signed requestId that any instance accepts.
 * The entry point the HTTP edge, push and event streams call; the work is done by concern:
 * {@link PollPlanner} (the request against its group and policy), {@link LongPolls} (waiting for messages),
 * {@link Settlements} (acks, releases, give-back) and {@link PollResults} (what the client is handed).
 */
public final class ConsumeService implements AutoCloseable, RegistryListener {
    private final ProxyConfig.Consume settings;
    private final Semaphore polls;
    private final ProxyMetrics metrics;
    private final BroadcastClients broadcastClients;
    private final LongPollGate gate;
    private final PollPlanner planner;
    private final LongPolls longPolls;
    private final Settlements settlements;
    private final PollResults results;

    /**
     * @param liveInstances how many proxy instances serve the fleet now: each takes its share of a
     *                      group's rate limit
     * @param clock         the proxy's clock: time rules go by it (a batch's deadline, how long a settled batch
     *                      is remembered, rates, broadcast clients' idleness). A long poll's wait is real waiting
     *                      at the broker: it stays on nanoTime.
     */
    public ConsumeService(Registry registry, Pops broker,
                          ClientDirectory clients, RequestIdCodec requestIds, ProxyMetrics metrics,
                          ProxyConfig.Consume settings, IntSupplier liveInstances, Clock clock, ThreadPools pools) {
        this.broadcastClients = new BroadcastClients(clients, registry, clock, pools);
        this.metrics = metrics;
        this.settings = settings;
        this.polls = new Semaphore(settings.maxPollsInFlight());
        SettledBatches settled = new SettledBatches(settings.maxRememberedBatches(), clock);
        metrics.gauge("mqproxy.consume.remembered.batches", "acked or released batches remembered, so that a "
            + "requestId is used once", settled::size);
        metrics.counter("mqproxy.consume.dead.letters.deferred", "messages past their retry limit left for a later "
            + "attempt because dead-letter work was backed up", broker::deadLettersDeferred);
        this.gate = new LongPollGate(settings.maxBrokerWaitsPerGroup(), pools);
        this.planner = new PollPlanner(registry, requestIds, new RateLimits(liveInstances, clock));
        HeldQueueAttempts heldAttempts = new HeldQueueAttempts();
        this.settlements = new Settlements(broker, metrics, settings, settled, new BatchDeadlines(clock), heldAttempts);
        this.longPolls = new LongPolls(broker, planner, settlements, gate, heldAttempts, settings);
        this.results = new PollResults(requestIds, metrics);
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
        planner.consumerChanged(before, after);
        if (after == null || after.paused() && (before == null || !before.paused())) {
            gate.dismiss(g -> BrokerGroups.belongsTo(g, name));
        }
    }

    /** Acks the batch the requestId names (if any), then delivers the next one, waiting up to pullTimeout. */
    public CompletableFuture<Polled> poll(PollRequest r) {
        Poll poll;
        BatchReceipt previous;
        try {
            previous = planner.decode(r);
            poll = planner.plan(r, previous);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        // The operator's policy comes before any permit: a refused poll costs nothing but its ack.
        int allowance = planner.allowance(poll);
        if (allowance == 0) {
            String status = PollPlanner.refusal(poll);
            return (previous == null ? CompletableFuture.<String>completedFuture(null)
                : settlements.withAckPermit(() -> settlements.ack(poll, previous)))
                .thenApply(previousAck -> Polled.none(status, previousAck));
        }
        Poll allowed = poll.limitedTo(allowance);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(poll.pullSeconds());
        return withPollPermit(allowed, () -> previous == null ? fetchAndAnswer(allowed, deadline, null)
            : settlements.ack(poll, previous).thenCompose(previousAck -> fetchAndAnswer(allowed, deadline, previousAck)));
    }

    private CompletableFuture<Polled> fetchAndAnswer(Poll poll, long deadlineNanos, String previousAck) {
        return longPolls.answer(poll, longPolls.fetch(poll, deadlineNanos), true,
            m -> results.result(poll, m, previousAck), () -> Polled.none(PollResult.PAUSED, previousAck));
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
            done = poll.clientId() == null ? work.get()
                : broadcastClients.admit(poll.group(), poll.brokerGroup(), poll.clientId()).thenCompose(v -> work.get());
        } catch (RuntimeException e) {
            polls.release();
            throw e;
        }
        return done.whenComplete((result, failure) -> polls.release());
    }

    /** Acks the batch without fetching more. */
    public CompletableFuture<AckResult> ack(PollRequest r) {
        Settling s;
        try {
            s = settling(r);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        return settlements.withAckPermit(() -> settlements.ack(s.poll(), s.receipt()).thenApply(status ->
            new AckResult(status, s.receipt().handles().size())));
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
        Settling s;
        try {
            s = settling(r);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        return settlements.release(s.poll(), s.receipt(), delayMillis);
    }

    /** A batch a request settles (acks or gives back): its receipt, which it must carry, and its group's plan. */
    private record Settling(Poll poll, BatchReceipt receipt) {
    }

    private Settling settling(PollRequest r) {
        BatchReceipt receipt = planner.decode(r);
        Poll poll = planner.plan(r, receipt);
        PollPlanner.required(receipt);
        return new Settling(poll, receipt);
    }

    /**
     * A batch was taken from the broker for a client that did not get it (it left before the answer
     * was written): it is made deliverable again at once instead of after consumeTimeout, and the take
     * does not count as a delivery (see {@link Settlements#giveBack}).
     */
    public void returnUndelivered(Polled undelivered) {
        if (undelivered.batch() != null) {
            settlements.returnUndelivered(undelivered.batch());
        }
    }

    /** One message of {@link #pollEach} that its client did not get (the write failed): as above. */
    public CompletableFuture<Void> returnUndelivered(Delivery undelivered) {
        return settlements.returnUndelivered(undelivered.receipt());
    }

    // ---- push delivery (issue 12): pops for the proxy's own clients, a token per message

    /**
     * Told of every batch this instance acked or gave back (also a token of one message): an event
     * stream frees the slot of a message its client acked.
     */
    public void onSettled(java.util.function.Consumer<BatchReceipt> observer) {
        settlements.onSettled(observer);
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
            poll = planner.plan(r, null);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        int allowance = planner.allowance(poll);
        if (allowance == 0) {
            return CompletableFuture.completedFuture(Deliveries.none(PollPlanner.refusal(poll)));
        }
        Poll allowed = poll.limitedTo(allowance);
        return withPollPermit(allowed, () -> longPolls.answer(allowed,
            longPolls.fetch(allowed, System.nanoTime() + TimeUnit.SECONDS.toNanos(poll.pullSeconds())), false,
            m -> results.each(allowed, m), () -> Deliveries.none(PollResult.PAUSED)));
    }

    /** What {@link #pollEach} delivered and its client did not get: deliverable again at once. */
    public void returnUndelivered(Deliveries undelivered) {
        if (undelivered.batch() != null) {
            settlements.returnUndelivered(undelivered.batch());
        }
    }

    /** The proxy is stopping: waiting long polls answer now, others at their next turn. */
    public void stopWaiting() {
        longPolls.stopWaiting();
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
            while (longPolls.fetchesUnfinished() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gate.close();
        }
    }
}
