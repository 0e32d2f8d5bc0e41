package io.mqproxy.broker;

import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.exception.RemotingTooMuchRequestException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;

/**
 * Turns the RocketMQ client's send failures into {@link BrokerFailure}s. A time-out is an unknown outcome:
 * the request may have reached the broker and been stored, so only the client can decide to retry.
 */
final class SendFailures {
    private SendFailures() {
    }

    static BrokerFailure toBrokerFailure(Throwable failure, String topic) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RemotingTimeoutException || t instanceof RemotingTooMuchRequestException) {
                return BrokerFailure.outcomeUnknown("broker did not answer in time");
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RemotingConnectException) {
                return BrokerFailure.unreachable("broker unreachable: " + t.getMessage(), failure);
            }
            if (t instanceof MQBrokerException be && be.getResponseCode() == ResponseCode.SYSTEM_BUSY) {
                return BrokerFailure.busy(be.getErrorMessage(), failure);
            }
            if (t instanceof MQBrokerException be) {
                return BrokerFailure.refused("broker refused the message (code " + be.getResponseCode() + "): "
                    + be.getErrorMessage(), failure);
            }
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (message.contains("No route info")) {
            return BrokerFailure.failed("no route to topic '" + topic + "': the topic does not exist on the "
                + "cluster or no broker is up", failure);
        }
        if (failure instanceof MQClientException mce && mce.getErrorMessage() != null) {
            message = mce.getErrorMessage();
        }
        return BrokerFailure.failed(firstLine(message), failure);
    }

    private static String firstLine(String message) {
        int cut = message.indexOf('\n');
        return cut < 0 ? message : message.substring(0, cut);
    }
}
