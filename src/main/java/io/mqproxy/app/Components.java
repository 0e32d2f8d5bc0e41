package io.mqproxy.app;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's components, started in the order they were added and stopped in reverse (the RocketMQ proxy's
 * start/shutdown list, with its pre-shutdown pass). A stop makes two passes backwards over the list: first
 * every component stops taking work and answers what waits ({@code quiesce}), then every one closes
 * ({@code close}); so the HTTP servers, added late, drain only after every component answered its waiting
 * requests, and the broker clients, added early, close last. A failure in one step is logged; the stop goes on.
 */
final class Components {
    private static final Logger log = LoggerFactory.getLogger(Components.class);

    /** One step of a component's start or stop. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private record Component(String name, Step start, Step quiesce, Step close) {
    }

    private final List<Component> list = new ArrayList<>();
    private int started;

    /**
     * Adds a component, already built, to be started by {@link #start} and stopped by {@link #stop}; any
     * step may be null (nothing to do). Add each as soon as it is built: a failed start stops what was added.
     */
    void add(String name, Step start, Step quiesce, Step close) {
        list.add(new Component(name, start, quiesce, close));
    }

    /** Runs the start steps not run yet, in order; the first that fails stops the start (the caller stops all). */
    void start() throws Exception {
        for (; started < list.size(); started++) {
            Component c = list.get(started);
            if (c.start() != null) {
                c.start().run();
            }
        }
    }

    /** Every quiesce step backwards, then every close step backwards. */
    void stop() {
        for (int i = list.size() - 1; i >= 0; i--) {
            run(list.get(i), "stop taking work", list.get(i).quiesce());
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            run(list.get(i), "close", list.get(i).close());
        }
    }

    private static void run(Component c, String what, Step step) {
        if (step == null) {
            return;
        }
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: {} interrupted", c.name(), what);
        } catch (Exception e) {
            log.warn("{}: {} failed: {}", c.name(), what, e.toString(), e);
        }
    }
}
