package io.mqproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** How the command line prints for people: local times, the audit's changes, the lag table. */
class CliFormatTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** 2026-12-07T09:15:30.250Z. */
    private static final long AT = 1796634930250L;

    private static JsonNode json(String text) throws Exception {
        return AdminApi.JSON.readTree(text.replace('\'', '"'));
    }

    private static String print(Views.View view, JsonNode result) {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        view.print(result, out, PARIS);
        out.flush();
        return s.toString();
    }

    @Test
    void times_areLocalIsoDates_toTheSecond() throws Exception {
        assertThat(Table.time(AT, PARIS)).isEqualTo("2026-12-07T10:15:30+01:00");
        String table = print(Table::printResult, json("[{'name':'a','time':" + AT + ",'expiresAt':" + AT
            + ",'queueOffset':" + AT + "}]"));
        assertThat(table).contains("a     2026-12-07T10:15:30+01:00  2026-12-07T10:15:30+01:00")
            .as("a number that is not a time stays a number").contains(String.valueOf(AT));
        assertThat(print(Table::printResult, json("{'lastCollection':{'at':'2026-12-07T09:15:30.250Z'}}")))
            .contains("2026-12-07T10:15:30+01:00");
    }

    @Test
    void audit_showsWhatChanged_oneFieldPerLine_notTruncatedJson() throws Exception {
        JsonNode record = json("{'time':" + AT + ",'operator':'alice','action':'pause','target':'billing',"
            + "'before':{'paused':false,'maxPullSize':32,'rateLimit':0,'description':'" + "x".repeat(80) + "'},"
            + "'after':{'paused':true,'maxPullSize':32,'rateLimit':5,'description':'" + "x".repeat(80) + "'},"
            + "'result':'ok'}");
        assertThat(Views.changes(record)).containsExactly("paused: false → true", "rateLimit: 0 → 5");
        String table = print(Views::audit, AdminApi.JSON.createArrayNode().add(record));
        assertThat(table).contains("2026-12-07T10:15:30+01:00").contains("paused: false → true")
            .contains("rateLimit: 0 → 5").doesNotContain("...").doesNotContain("{");
        assertThat(table.lines().filter(l -> l.contains("rateLimit")).findFirst().orElseThrow())
            .as("a second change on its own line, under the first").doesNotContain("alice");
    }

    @Test
    void audit_saysResetsAndCountsInWords() throws Exception {
        assertThat(Views.changes(json("{'action':'reset','after':[{'brokerName':'b0','queueId':1,"
            + "'consumedOffset':7}]}"))).containsExactly("offsets now: b0/1 @ 7");
        assertThat(Views.changes(json("{'action':'redrive','after':3}"))).containsExactly("3 message(s) redriven");
        assertThat(Views.changes(json("{'action':'register','after':{'topic':'T'}}"))).containsExactly("topic: \"T\"");
    }

    @Test
    void lag_showsBacklogInFlightRetryDeadLettersAndAge_asAdminLag() throws Exception {
        JsonNode lag = json("{'enabled':true,'collecting':true,'instance':'i1','intervalSeconds':15,'at':" + AT
            + ",'inflightKnown':true,'groups':{'billing':{'topic':'T','backlog':120,'inflight':null,"
            + "'retryBacklog':2,'deadLetters':1,'oldestAgeSeconds':125}}}");
        String table = print(Views::lagAll, lag);
        assertThat(table).contains("read at 2026-12-07T10:15:30+01:00 by i1");
        String header = table.lines().filter(l -> l.startsWith("group")).findFirst().orElseThrow();
        assertThat(header).contains("backlog").contains("in flight").contains("retry").contains("dead letters")
            .contains("oldest age");
        assertThat(table).containsPattern("billing +T +120 +\\? +2 +1 +2m05s");
        assertThat(table.lines()).noneMatch(l -> l.strip().equals(":"));
    }

    @Test
    void lagOffsets_ofAClusteringGroup_areAList_notKeyedByEmpty() throws Exception {
        JsonNode unwrapped = AdminCli.Lag.unwrap(json("{'':[{'queueId':0,'brokerOffset':3}]}"));
        assertThat(unwrapped.isArray()).isTrue();
        JsonNode broadcast = json("{'c1':[{'queueId':0}]}");
        assertThat(AdminCli.Lag.unwrap(broadcast)).isSameAs(broadcast);
    }

    @Test
    void lag_onAnInstanceThatDoesNotCollect_saysSo() throws Exception {
        assertThat(print(Views::lagAll, json("{'enabled':true,'collecting':false,'instance':'i2','groups':{}}")))
            .contains("i2 does not collect lag").contains("admin alerts monitor");
    }

    @Test
    void alerts_printTimesAndValues() throws Exception {
        String table = print(Views::alerts, json("[{'group':'billing','rule':'backlog','status':'firing','since':"
            + AT + ",'value':1200.0,'threshold':1000,'unit':'messages','notifications':[{'outcome':'ok'}]}]"));
        assertThat(table).containsPattern("billing +backlog +firing +2026-12-07T10:15:30\\+01:00 +1200 messages "
            + "+1000 +ok");
    }
}
