package io.mqproxy.control;

import java.util.List;

/**
 * A page of the audit log, newest first.
 *
 * @param cursor  where the next (older) page starts, or null when the range has no more
 * @param scanned how many stored messages this page looked at (bounded, whatever the topic holds)
 * @param forged  records in the range on this page whose MAC is missing or wrong: not shown as genuine
 * @param unsigned of those, the ones with no MAC at all (written before records had one, or by anyone)
 */
public record AuditPage(List<AuditRecord> records, String cursor, int scanned, int forged, int unsigned) {
}
