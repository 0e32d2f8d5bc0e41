package io.mqproxy.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * The load generator of {@link ProduceBenchmark}'s external phases, run as a child process, so that the
 * benchmark's JVM (broker and proxy) spends CPU only on their own work. Closed loop: a fixed number of
 * requests in flight, each answer starts the next.
 *
 * <p>Arguments: {@code http <port> <producer> <concurrency> <size> <batch> <warmupSeconds> <seconds>} or
 * {@code native <namesrvAddr> <topic> <concurrency> <size> <batch> <warmupSeconds> <seconds>}. Protocol on
 * stdout: {@code start} when the measured time begins, then {@code stop ok=N nanos=N p50=ms p99=ms errors=N
 * cpu=ns first=...} when it ends (cpu: this process's), then {@code done}.
 */
public final class ProduceLoadClient {
    private static final byte[] OK_PREFIX = "{\"status\":200".getBytes(StandardCharsets.US_ASCII);

    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Recorder latencies = new Recorder(TimeUnit.MINUTES.toNanos(1), 3);
    private volatile String firstError = "";
    private volatile boolean running = true;

    private ProduceLoadClient() {
    }

    public static void main(String[] args) throws Exception {
        new ProduceLoadClient().run(args);
        System.exit(0);
    }

    private void run(String[] args) throws Exception {
        String kind = args[0];
        String target = args[1];
        String name = args[2];
        int concurrency = Integer.parseInt(args[3]);
        int size = Integer.parseInt(args[4]);
        int batch = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        int seconds = Integer.parseInt(args[7]);
        byte[] body = BenchSupport.body(size);
        Runnable stop;
        if (kind.equals("http")) {
            stop = http(Integer.parseInt(target), name, concurrency, body, batch);
        } else {
            stop = nativeLoad(target, name, concurrency, body, batch);
        }
        Thread.sleep(warmup * 1000L);
        latencies.reset();
        long ok0 = ok.sum();
        long errors0 = errors.sum();
        long cpu0 = BenchSupport.OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        System.out.println("start");
        System.out.flush();
        Thread.sleep(seconds * 1000L);
        long t1 = System.nanoTime();
        long cpu1 = BenchSupport.OS.getProcessCpuTime();
        Histogram h = latencies.getIntervalHistogram();
        System.out.printf(Locale.ROOT, "stop ok=%d nanos=%d p50=%.3f p99=%.3f errors=%d cpu=%d first=%s%n",
            (ok.sum() - ok0) * batch, t1 - t0, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
            errors.sum() - errors0, cpu1 - cpu0, firstError.replace('\n', ' '));
        System.out.flush();
        running = false;
        stop.run();
        System.out.println("done");
        System.out.flush();
    }

    private void error(String what) {
        errors.increment();
        if (firstError.isEmpty()) {
            firstError = what;
        }
    }

    private Runnable http(int port, String producer, int concurrency, byte[] body, int batch) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient client = BenchSupport.httpClient(vertx, port, concurrency);
        String text = new String(body, StandardCharsets.US_ASCII);
        Buffer payload;
        String uri;
        String type;
        if (batch == 1) {
            payload = Buffer.buffer("producer=" + producer + "&message=" + text);
            uri = "/mq/produce";
            type = "application/x-www-form-urlencoded";
        } else {
            StringBuilder json = new StringBuilder("{\"producer\":\"" + producer + "\",\"messages\":[");
            for (int i = 0; i < batch; i++) {
                json.append(i == 0 ? "\"" : ",\"").append(text).append('"');
            }
            payload = Buffer.buffer(json.append("]}").toString());
            uri = "/mq/produce/batch";
            type = "application/json";
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
            .putHeader("Content-Type", type).setTimeout(30_000);
        for (int i = 0; i < concurrency; i++) {
            fire(client, request, payload);
        }
        return vertx::close;
    }

    private void fire(HttpClient client, RequestOptions request, Buffer payload) {
        if (!running) {
            return;
        }
        long started = System.nanoTime();
        Future<Buffer> reply = client.request(request).compose(req -> req.send(payload))
            .compose(resp -> resp.statusCode() == 200 ? resp.body() : Future.failedFuture("HTTP " + resp.statusCode()));
        reply.onComplete(ar -> {
            if (ar.succeeded() && BenchSupport.startsWith(ar.result(), OK_PREFIX)) {
                latencies.recordValue(System.nanoTime() - started);
                ok.increment();
            } else {
                error(ar.succeeded() ? ar.result().toString(StandardCharsets.UTF_8) : ar.cause().toString());
            }
            fire(client, request, payload);
        });
    }

    private Runnable nativeLoad(String namesrvAddr, String topic, int concurrency, byte[] body, int batch)
        throws Exception {
        DefaultMQProducer producer = BenchSupport.nativeProducer("bench-external", namesrvAddr);
        Semaphore permits = new Semaphore(concurrency);
        Thread driver = new Thread(() -> {
            while (running) {
                try {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                long started = System.nanoTime();
                SendCallback callback = new SendCallback() {
                    @Override
                    public void onSuccess(SendResult r) {
                        if (r.getSendStatus() == SendStatus.SEND_OK) {
                            latencies.recordValue(System.nanoTime() - started);
                            ok.increment();
                        } else {
                            error(r.getSendStatus().name());
                        }
                        permits.release();
                    }

                    @Override
                    public void onException(Throwable e) {
                        error(e.toString());
                        permits.release();
                    }
                };
                try {
                    if (batch == 1) {
                        producer.send(new Message(topic, body), callback, 10_000);
                    } else {
                        List<Message> msgs = new ArrayList<>(batch);
                        for (int i = 0; i < batch; i++) {
                            msgs.add(new Message(topic, body));
                        }
                        producer.send(msgs, callback, 10_000);
                    }
                } catch (Exception e) {
                    callback.onException(e);
                }
            }
        }, "bench-external-driver");
        driver.start();
        return () -> {
            try {
                driver.join();
                permits.tryAcquire(concurrency, 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.shutdown();
        };
    }
}
