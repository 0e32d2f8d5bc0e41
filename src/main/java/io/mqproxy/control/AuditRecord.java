package io.mqproxy.control;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change made through the control plane: who, what, to which group (or producer, topic), the
 * settings before and after, when, and how it ended. Never a credential.
 *
 * @param target   the group, producer or topic changed
 * @param result   "ok", "failed: ...", "refused: ..." (turned away before anything changed)
 * @param instance the proxy instance that carried it out
 * @param source   for refusals without an operator (a wrong token): the address it came from
 * @param genuine  set on reads only: whether the record's MAC proves the proxy wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditRecord(long time, String operator, String requestId, String action, String target,
                          String clientId, Object before, Object after, String result, String instance,
                          String source, Boolean genuine) {

    AuditRecord withGenuine(boolean verified) {
        return new AuditRecord(time, operator, requestId, action, target, clientId, before, after, result, instance,
            source, verified);
    }
}
