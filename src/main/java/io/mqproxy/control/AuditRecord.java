package io.mqproxy.control;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change made through the control plane: who, what, to which group (or producer, topic), the
 * settings before and after, when, and how it ended. Never a credential.
 *
 * @param target  the group, producer or topic changed
 * @param result  "ok", or what went wrong
 * @param instance the proxy instance that carried it out
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditRecord(long time, String operator, String requestId, String action, String target,
                          String clientId, Object before, Object after, String result, String instance) {
}
