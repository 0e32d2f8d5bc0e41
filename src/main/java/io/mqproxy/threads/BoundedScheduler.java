package io.mqproxy.threads;

import io.mqproxy.log.TraceIds;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledThreadPoolExecutor} whose queue has a bound: the JDK's is unbounded, so a caller that
 * schedules faster than tasks come due would grow it without limit. Past the bound a task goes to the
 * rejection handler (counted and refused). execute and submit come through schedule. Each task runs with the
 * trace id of the thread that scheduled it ({@link TraceIds#carry}); a periodic one with its scheduler's, each time.
 */
final class BoundedScheduler extends ScheduledThreadPoolExecutor {
    private final int queue;

    BoundedScheduler(ThreadFactory threads, RejectedExecutionHandler refuse, int queue) {
        super(1, threads, refuse);
        this.queue = queue;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        refuseIfFull(command);
        return super.schedule(TraceIds.carry(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        refuseIfFull(() -> { });
        return super.schedule(TraceIds.carry(callable), delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        refuseIfFull(command);
        return super.scheduleAtFixedRate(TraceIds.carry(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        refuseIfFull(command);
        return super.scheduleWithFixedDelay(TraceIds.carry(command), initialDelay, delay, unit);
    }

    private void refuseIfFull(Runnable task) {
        if (getQueue().size() >= queue && !isShutdown()) {
            getRejectedExecutionHandler().rejectedExecution(task, this);
        }
    }
}
