package io.mqproxy.broker.embedded;

import java.lang.reflect.Field;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.broker.transaction.TransactionMetricsFlushService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RocketMQ 5.5.0's TransactionMetricsFlushService spins without waiting until its first flush
 * ({@code transactionMetricFlushInterval}, 10 s): a whole core for the first 10 s of every broker, that
 * is during the proxy's start, on a 2-core machine half of it. This one persists the same metrics on
 * the same interval, waiting between flushes. It takes the original's place in the broker, so the
 * broker's shutdown stops it.
 */
final class PatientTransactionMetricsFlush extends TransactionMetricsFlushService {
    private static final Logger log = LoggerFactory.getLogger(PatientTransactionMetricsFlush.class);
    private static final String FIELD = "transactionMetricsFlushService";

    private final BrokerController broker;

    private PatientTransactionMetricsFlush(BrokerController broker) {
        super(broker);
        this.broker = broker;
    }

    /** After the broker's initialize (which starts the spinning one), before its start. */
    static void replaceIn(BrokerController broker) throws ReflectiveOperationException {
        Field field = BrokerController.class.getDeclaredField(FIELD);
        field.setAccessible(true);
        TransactionMetricsFlushService spinning = (TransactionMetricsFlushService) field.get(broker);
        if (spinning == null) {
            return;
        }
        spinning.shutdown();
        PatientTransactionMetricsFlush patient = new PatientTransactionMetricsFlush(broker);
        field.set(broker, patient);
        patient.start();
    }

    @Override
    public void run() {
        while (!isStopped()) {
            waitForRunning(broker.getBrokerConfig().getTransactionMetricFlushInterval());
            if (isStopped()) {
                return;
            }
            try {
                broker.getTransactionalMessageService().getTransactionMetrics().persist();
            } catch (RuntimeException e) {
                // As the original: said, and tried again at the next interval.
                log.warn("transaction metrics not persisted: {}", e.toString());
            }
        }
    }
}
