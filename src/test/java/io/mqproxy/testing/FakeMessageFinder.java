package io.mqproxy.testing;

import io.mqproxy.broker.MessageFinder;
import java.util.List;

/** A cluster that stores no message: every lookup finds nothing (for commands that need a finder but no lookup). */
public final class FakeMessageFinder implements MessageFinder {
    @Override
    public List<Found> byId(String topic, String id) {
        return List.of();
    }

    @Override
    public List<Found> byKey(String topic, String key, long begin, long end, int max) {
        return List.of();
    }

    @Override
    public Page byTime(String topic, long begin, long end, String tag, int size, String cursor) {
        return new Page(List.of(), null);
    }

    @Override
    public boolean exists(String topic) {
        return false;
    }
}
