package io.mqproxy.broker.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.rocketmq.broker.BrokerPathConfigHelper;
import org.apache.rocketmq.store.timer.TimerCheckpoint;

/**
 * A new store's timer has read nothing yet, so RocketMQ starts its reading 7 days back (the wheel's span)
 * and walks those 604,800 one-second slots one by one, on the main thread at load (checking positions)
 * and then in its dequeue thread: seconds of CPU at the first start of every new data folder, while the
 * proxy starts. A store with no commit log holds no delayed message, so its timer may as well start
 * reading now: this writes that position, through RocketMQ's own checkpoint class, before the broker
 * loads its store. A store that exists is left alone.
 */
final class FreshTimerCheckpoint {
    private FreshTimerCheckpoint() {
    }

    static void prepare(Path storeRoot, Path commitLog, int precisionMs) throws IOException {
        Path checkpoint = Path.of(BrokerPathConfigHelper.getTimerCheckPath(storeRoot.toString()));
        if (Files.exists(checkpoint) || hasFiles(commitLog)) {
            return;
        }
        TimerCheckpoint fresh = new TimerCheckpoint(checkpoint.toString());
        try {
            fresh.setLastReadTimeMs(System.currentTimeMillis() / precisionMs * precisionMs);
            fresh.flush();
        } finally {
            fresh.shutdown();
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }
}
