package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.GroupAdmin.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which dead letters a redrive by selection takes: every field given must match. */
class DeadLetterSelectionTest {
    private static StoredMessage letter(String id, String keys, String tags, long stored, String body) {
        return new StoredMessage(id, "%DLQ%g", body.getBytes(StandardCharsets.UTF_8), keys, tags, Map.of(), stored, 2,
            0);
    }

    private static final StoredMessage ORDER = letter("A1", "order-7 customer-3", "paid", 1_000, "{\"amount\":12}");

    @Test
    void eachField_selectsOnItsOwn() {
        assertThat(new DeadLetterSelection(null, "customer-3", null, null, null, null).matches(ORDER)).isTrue();
        assertThat(new DeadLetterSelection(null, "customer", null, null, null, null).matches(ORDER))
            .as("a key matches whole").isFalse();
        assertThat(new DeadLetterSelection(null, null, "paid", null, null, null).matches(ORDER)).isTrue();
        assertThat(new DeadLetterSelection(null, null, "Paid", null, null, null).matches(ORDER)).isFalse();
        assertThat(new DeadLetterSelection(null, null, null, 1_000L, 1_001L, null).matches(ORDER)).isTrue();
        assertThat(new DeadLetterSelection(null, null, null, null, 1_000L, null).matches(ORDER))
            .as("until is exclusive").isFalse();
        assertThat(new DeadLetterSelection(null, null, null, null, null, "amount").matches(ORDER)).isTrue();
        assertThat(DeadLetterSelection.ofIds(Set.of("A1")).matches(ORDER)).isTrue();
        assertThat(DeadLetterSelection.ALL.matches(ORDER)).isTrue();
    }

    @Test
    void fieldsTogether_mustAllMatch_andDescribeWhatWasGiven() {
        DeadLetterSelection both = new DeadLetterSelection(null, "order-7", "refunded", null, null, null);
        assertThat(both.matches(ORDER)).isFalse();
        assertThat(both.byContent()).isTrue();
        assertThat(both.describe()).containsOnlyKeys("key", "tag");
        assertThat(DeadLetterSelection.ALL.describe()).containsEntry("all", true);
        assertThat(DeadLetterSelection.ofIds(Set.of("A1")).byContent()).isFalse();
    }
}
