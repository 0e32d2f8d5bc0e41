package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.SubscriptionFilter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;

/**
 * The proxy's reading of a filter agrees with RocketMQ's: messages are real RocketMQ messages, encoded and
 * decoded as the broker stores and a pull returns them; the expressions compile in the broker's own parser.
 */
class FilterMatchTest {

    /** A message as a pull reads it back from the broker's store. */
    private static MessageExt stored(String tag, Map<String, String> properties) throws Exception {
        MessageExt m = new MessageExt();
        m.setTopic("orders");
        m.setBody("{}".getBytes(StandardCharsets.UTF_8));
        if (tag != null) {
            m.setTags(tag);
        }
        m.setKeys("k-1");
        properties.forEach(m::putUserProperty);
        m.setBornHost(new InetSocketAddress("127.0.0.1", 1000));
        m.setStoreHost(new InetSocketAddress("127.0.0.1", 10911));
        m.setBornTimestamp(1);
        m.setStoreTimestamp(2);
        byte[] bytes = MessageDecoder.encode(m, false);
        return MessageDecoder.decode(ByteBuffer.wrap(bytes));
    }

    private static MessageExt tagged(String tag) throws Exception {
        return stored(tag, Map.of());
    }

    private static MessageExt with(Map<String, String> properties) throws Exception {
        return stored(null, properties);
    }

    @Test
    void tag_or_matchesEitherTagExactly() throws Exception {
        FilterMatch f = FilterMatch.tag("paid || refunded");
        assertThat(f.all()).isFalse();
        assertThat(f.matches(tagged("paid"))).isTrue();
        assertThat(f.matches(tagged("refunded"))).isTrue();
        assertThat(f.matches(tagged("open"))).isFalse();
        assertThat(f.matches(tagged("Paid"))).as("tags are case-sensitive").isFalse();
        assertThat(f.matches(tagged("paid || refunded"))).as("one tag, not an expression").isFalse();
        assertThat(f.matches(tagged(null))).as("a message without a tag").isFalse();
    }

    @Test
    void tag_spacesAroundTheBars_doNotMatter() throws Exception {
        FilterMatch f = FilterMatch.tag("a||b ||  c");
        assertThat(f.matches(tagged("a"))).isTrue();
        assertThat(f.matches(tagged("c"))).isTrue();
        assertThat(f.matches(tagged(" c"))).isFalse();
    }

    @Test
    void tag_star_matchesEveryMessage_withOrWithoutTag() throws Exception {
        FilterMatch f = FilterMatch.tag("*");
        assertThat(f.all()).isTrue();
        assertThat(f.matches(tagged("anything"))).isTrue();
        assertThat(f.matches(tagged(null))).isTrue();
        assertThat(FilterMatch.ALL.matches(tagged(null))).isTrue();
    }

    @Test
    void sql92_stringsAndNumbers() throws Exception {
        FilterMatch f = FilterMatch.sql92("region = 'eu' AND amount > 100");
        assertThat(f.matches(with(Map.of("region", "eu", "amount", "150")))).isTrue();
        assertThat(f.matches(with(Map.of("region", "eu", "amount", "100")))).isFalse();
        assertThat(f.matches(with(Map.of("region", "us", "amount", "150")))).isFalse();
        assertThat(f.matches(with(Map.of("region", "eu", "amount", "99.5")))).isFalse();
        // RocketMQ reads the property as the literal's type: a decimal value is no Long, so it never matches
        // an integer literal, and matches a decimal one.
        assertThat(f.matches(with(Map.of("region", "eu", "amount", "100.5")))).isFalse();
        assertThat(FilterMatch.sql92("amount > 100.0").matches(with(Map.of("amount", "100.5")))).isTrue();
        assertThat(FilterMatch.sql92("region IN ('eu', 'uk')").matches(with(Map.of("region", "uk")))).isTrue();
        assertThat(FilterMatch.sql92("amount BETWEEN 10 AND 20").matches(with(Map.of("amount", "15")))).isTrue();
        assertThat(FilterMatch.sql92("amount BETWEEN 10 AND 20").matches(with(Map.of("amount", "25")))).isFalse();
    }

    @Test
    void sql92_aValueThatIsNotANumber_comparedAsOne_doesNotMatch() throws Exception {
        FilterMatch f = FilterMatch.sql92("amount > 100");
        assertThat(f.matches(with(Map.of("amount", "lots")))).isFalse();
    }

    @Test
    void sql92_missingProperty_comparisonsAreNotTrue_butIsNullIs() throws Exception {
        MessageExt none = with(Map.of("other", "x"));
        assertThat(FilterMatch.sql92("region = 'eu'").matches(none)).isFalse();
        assertThat(FilterMatch.sql92("region <> 'eu'").matches(none)).as("unknown, not true").isFalse();
        assertThat(FilterMatch.sql92("NOT (region = 'eu')").matches(none)).isFalse();
        assertThat(FilterMatch.sql92("amount > 100").matches(none)).isFalse();
        assertThat(FilterMatch.sql92("amount <= 100").matches(none)).isFalse();
        assertThat(FilterMatch.sql92("region IS NULL").matches(none)).isTrue();
        assertThat(FilterMatch.sql92("region IS NOT NULL").matches(none)).isFalse();
        assertThat(FilterMatch.sql92("region IS NULL OR region = 'eu'").matches(none)).isTrue();
        assertThat(FilterMatch.sql92("region IS NOT NULL").matches(with(Map.of("region", "eu")))).isTrue();
    }

    @Test
    void sql92_seesTheTagAndKeys_asTheBrokerStoresThem() throws Exception {
        assertThat(FilterMatch.sql92("TAGS = 'paid'").matches(tagged("paid"))).isTrue();
        assertThat(FilterMatch.sql92("TAGS = 'paid'").matches(tagged("open"))).isFalse();
        assertThat(FilterMatch.sql92("KEYS = 'k-1'").matches(tagged("open"))).isTrue();
    }

    @Test
    void aLookupsView_ofAMessage_matchesAsTheStoredMessageDoes() throws Exception {
        FilterMatch f = FilterMatch.sql92("TAGS = 'paid' AND region = 'eu'");
        MessageExt m = stored("paid", Map.of("region", "eu"));
        Map<String, String> user = Map.of("region", "eu");
        assertThat(f.matches(m.getTags(), FilterMatch.stored(m.getTags(), m.getKeys(), user))).isTrue();
        assertThat(f.matches(m)).isTrue();
    }

    @Test
    void aGroupsFilter_isCompiledOnce_andNoneMatchesAll() throws Exception {
        SubscriptionFilter paid = new SubscriptionFilter(SubscriptionFilter.Type.TAG, "paid");
        assertThat(FilterMatch.of(paid)).isSameAs(FilterMatch.of(new SubscriptionFilter(SubscriptionFilter.Type.TAG,
            " paid ")));
        assertThat(FilterMatch.of(paid).matches(tagged("paid"))).isTrue();
        assertThat(FilterMatch.of(null)).isSameAs(FilterMatch.ALL);
        assertThat(FilterMatch.of(new SubscriptionFilter(SubscriptionFilter.Type.TAG, "*"))).isSameAs(FilterMatch.ALL);
        assertThat(FilterMatch.of(new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "a = 1"))
            .matches(with(Map.of("a", "1")))).isTrue();
    }

    @Test
    void badExpressions_areRefused_withTheParsersReason() {
        assertThatThrownBy(() -> FilterMatch.sql92("region = ")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not an SQL92 expression");
        assertThatThrownBy(() -> FilterMatch.sql92(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FilterMatch.sql92("amount > 'x'")).isInstanceOf(IllegalArgumentException.class);
    }
}
