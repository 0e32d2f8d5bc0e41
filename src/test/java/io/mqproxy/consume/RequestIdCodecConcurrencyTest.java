package io.mqproxy.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.ReceiptHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RequestIdCodecConcurrencyTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static BatchReceipt receipt(int n, long base) {
        List<ReceiptHandle> handles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            handles.add(new ReceiptHandle(base, 1_700_000_000_000L + base, 300_000, 3, i % 5 == 0 ? "1" : "0",
                "broker-a", i % 4, base + i * 3));
        }
        return new BatchReceipt("group", "topic", base % 2 == 0 ? null : "client-" + base, List.copyOf(handles));
    }

    /** Same batch: handles are grouped by pop and queue in the id, so their order may change. */
    private static boolean same(BatchReceipt a, BatchReceipt b) {
        return a.consumer().equals(b.consumer()) && a.topic().equals(b.topic())
            && java.util.Objects.equals(a.clientId(), b.clientId())
            && new java.util.HashSet<>(a.handles()).equals(new java.util.HashSet<>(b.handles()))
            && a.handles().size() == b.handles().size();
    }

    @Test
    void manyThreadsShareOneCodec() throws Exception {
        RequestIdCodec codec = new RequestIdCodec(SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        BatchReceipt r = receipt(1 + (i + seed) % 40, seed * 10_000L + i);
                        if (!same(codec.decode(codec.encode(r)), r)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
