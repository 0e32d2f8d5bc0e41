package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.ProxyError;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.junit.jupiter.api.Test;

/** The RocketMQ client's send failures, as the kind the broker package names and the status users see. */
class SendFailuresTest {
    private static ProxyError seen(Throwable failure) {
        return ErrorMapper.toProxyError(SendFailures.toBrokerFailure(failure, "orders"));
    }

    @Test
    void timeout_isAnUnknownOutcome_300() {
        Throwable t = new MQClientException("send failed", new RemotingTimeoutException("wait 3000ms"));
        assertThat(SendFailures.toBrokerFailure(t, "orders").kind()).isEqualTo(BrokerFailure.Kind.OUTCOME_UNKNOWN);
        assertThat(seen(t).status()).isEqualTo(300);
        assertThat(seen(t).getMessage()).startsWith("outcome unknown (broker did not answer in time)");
    }

    @Test
    void busyBroker_is503_notStored() {
        Throwable t = new MQBrokerException(ResponseCode.SYSTEM_BUSY, "[TIMEOUT_CLEAN_QUEUE]broker busy");
        assertThat(SendFailures.toBrokerFailure(t, "orders").kind()).isEqualTo(BrokerFailure.Kind.BUSY);
        assertThat(seen(t).status()).isEqualTo(503);
        assertThat(seen(t).getMessage())
            .isEqualTo("broker busy, the message was not stored; retry later ([TIMEOUT_CLEAN_QUEUE]broker busy)");
    }

    @Test
    void unreachableAndRefused_are500_brokerError() {
        Throwable down = new RemotingConnectException("127.0.0.1:1");
        assertThat(SendFailures.toBrokerFailure(down, "orders").kind()).isEqualTo(BrokerFailure.Kind.UNREACHABLE);
        assertThat(seen(down).status()).isEqualTo(500);
        assertThat(seen(down).getMessage()).isEqualTo("broker error: broker unreachable: connect to 127.0.0.1:1 failed");

        Throwable refused = new MQBrokerException(ResponseCode.NO_PERMISSION, "not writeable");
        assertThat(SendFailures.toBrokerFailure(refused, "orders").kind()).isEqualTo(BrokerFailure.Kind.REFUSED);
        assertThat(seen(refused).getMessage())
            .isEqualTo("broker error: broker refused the message (code 16): not writeable");
    }

    @Test
    void noRoute_namesTheTopic_500() {
        Throwable t = new MQClientException("No route info of this topic: orders", null);
        assertThat(seen(t).status()).isEqualTo(500);
        assertThat(seen(t).getMessage()).isEqualTo("broker error: no route to topic 'orders': the topic does not "
            + "exist on the cluster or no broker is up");
    }
}
