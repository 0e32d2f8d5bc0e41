package io.mqproxy.control;

import static io.mqproxy.control.ControlFixture.ALICE;
import static io.mqproxy.control.ControlFixture.BROADCAST;
import static io.mqproxy.control.ControlFixture.HELD;
import static io.mqproxy.control.ControlFixture.POP;
import static io.mqproxy.control.ControlFixture.PRODUCER;
import static io.mqproxy.control.ControlFixture.START;
import static io.mqproxy.control.ControlFixture.TOPIC;
import static io.mqproxy.control.ControlFixture.done;
import static io.mqproxy.control.ControlFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.error.ProxyError;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.GroupChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group and producer commands' rules over a faked broker (issue 23): a refusal is a 400 naming the field,
 * and then nothing is sent to the broker, written to the registry or audited; a broker that fails gives the
 * error value, an audit record of the failure, and a registry as it was; a change that passes is written to
 * the registry and audited with the operator, before and after.
 */
class GroupCommandsTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void nothingWrittenNorAudited() {
        assertThat(f.store.writes).as("registry writes").hasValue(0);
        assertThat(f.records()).as("audit records").isEmpty();
    }

    // ---- topics

    @Test
    void createTopic_withQueuesOutOfRange_isRefusedNamingQueues_andTheBrokerSeesNothing() throws Exception {
        ProxyError e = failure(f.groupCommands.createTopic(ALICE, "payments", 0));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("queues:");
        assertThat(failure(f.groupCommands.createTopic(ALICE, "payments", 1025)).getMessage()).startsWith("queues:");
        assertThat(failure(f.groupCommands.createTopic(ALICE, "MQPROXY_AUDIT", 4)).getMessage()).startsWith("name:");
        assertThat(f.topics.calls).isEmpty();
        nothingWrittenNorAudited();
    }

    @Test
    void createTopic_isSentWithTheDefaultQueues_andAuditedWithTheOperator() throws Exception {
        Map<String, Object> created = done(f.groupCommands.createTopic(ALICE, "payments", null));
        assertThat(created).containsEntry("created", true).containsEntry("queues", 8);
        assertThat(f.topics.calls).containsExactly("ensureTopic payments 8");
        AuditRecord r = f.records().get(0);
        assertThat(r.action()).isEqualTo("create-topic");
        assertThat(r.target()).isEqualTo("payments");
        assertThat(r.operator()).isEqualTo("alice");
        assertThat(r.requestId()).isEqualTo("req-1");
        assertThat(r.result()).isEqualTo("ok");
        assertThat(r.time()).isEqualTo(START);
        assertThat(r.after()).isEqualTo(Map.of("topic", "payments", "queues", 8, "created", true));
    }

    @Test
    void createTopic_whenTheBrokerFails_isTheBrokersErrorValue_andAuditedAsFailed() throws Exception {
        f.topics.failing = ControlFixture.unreachable();
        Actor actor = new Actor("alice", "req-2");
        ProxyError e = failure(f.groupCommands.createTopic(actor, "payments", 4));
        assertThat(e.status()).isEqualTo(io.mqproxy.error.ErrorMapper.toProxyError(ControlFixture.unreachable())
            .status());
        assertThat(e.getMessage()).contains("connect to 10.0.0.1:10911 failed");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("create-topic");
            assertThat(r.operator()).isEqualTo("alice");
            assertThat(r.result()).startsWith("failed: ").contains("connect to 10.0.0.1:10911 failed");
        });
        assertThat(actor.wasFailureAudited()).as("the HTTP edge records no second refusal").isTrue();
    }

    // ---- registering

    @Test
    void registerGroup_onATopicThatDoesNotExist_isRefusedNamingTopic_andNothingIsWritten() throws Exception {
        ProxyError e = failure(f.groupCommands.registerGroup(ALICE, "new-g", "nowhere",
            ProxyConfig.ConsumeMode.CLUSTERING, true, null));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("topic:").contains("nowhere");
        assertThat(f.registry.consumer("new-g")).isEmpty();
        nothingWrittenNorAudited();
    }

    @Test
    void registerGroup_underANameTaken_orWithABadSetting_isRefusedNamingTheField() throws Exception {
        assertThat(failure(f.groupCommands.registerGroup(ALICE, POP, TOPIC, null, null, null)).getMessage())
            .startsWith("name:").contains("already registered");
        assertThat(failure(f.groupCommands.registerGroup(ALICE, "new-g", TOPIC, null, true,
            GroupChange.rateLimit(-1))).getMessage()).startsWith("rateLimit:");
        assertThat(failure(f.groupCommands.registerGroup(ALICE, "new-g", TOPIC, null, true,
            GroupChange.filter(new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "amount >")))).getMessage())
            .startsWith("filter.expression:");
        nothingWrittenNorAudited();
    }

    @Test
    void registerGroup_isWrittenToTheRegistry_servedAtOnce_andAudited() throws Exception {
        done(f.groupCommands.registerGroup(ALICE, "new-g", TOPIC, ProxyConfig.ConsumeMode.CLUSTERING, true,
            GroupChange.rateLimit(50)));
        assertThat(f.registry.consumer("new-g")).isPresent();
        assertThat(f.groupCommands.group("new-g").registeredBy()).isEqualTo("runtime");
        assertThat(f.groupCommands.group("new-g").sources()).containsEntry("rateLimit", "runtime")
            .containsEntry("paused", "default");
        assertThat(f.store.kv).containsKey("consumer.new-g");
        AuditRecord r = f.records().get(0);
        assertThat(r.action()).isEqualTo("register-group");
        assertThat(r.target()).isEqualTo("new-g");
        assertThat(r.operator()).isEqualTo("alice");
        assertThat(r.before()).isNull();
        assertThat(String.valueOf(r.after())).contains("new-g").contains("rateLimit=50");
        assertThat(r.result()).isEqualTo("ok");
    }

    @Test
    void aGroupFromTheFile_cannotBeUnregistered_400NamingGroup() throws Exception {
        ProxyError e = failure(f.groupCommands.unregisterGroup(ALICE, HELD));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("group:").contains("configuration file");
        assertThat(f.registry.consumer(HELD)).isPresent();
        nothingWrittenNorAudited();
    }

    @Test
    void registerProducer_onAMissingTopic_isRefused_andABadSchema_isRefusedNamingSchema() throws Exception {
        assertThat(failure(f.groupCommands.registerProducer(ALICE, "new-p", "nowhere")).getMessage())
            .startsWith("topic:");
        assertThat(failure(f.groupCommands.registerProducer(ALICE, PRODUCER, TOPIC)).getMessage())
            .startsWith("name:");
        assertThat(failure(f.groupCommands.setProducerSchema(ALICE, PRODUCER,
            new ObjectMapper().readTree("{\"type\":5}"))).getMessage()).startsWith("schema:");
        assertThat(failure(f.groupCommands.setProducerSchema(ALICE, "nobody", null)).status()).isEqualTo(404);
        nothingWrittenNorAudited();
    }

    // ---- changing settings

    @Test
    void pause_isWrittenAndServed_andAuditedAsPause_withBeforeAndAfter() throws Exception {
        assertThat(f.groupCommands.group(POP).sources()).containsEntry("paused", "default");
        done(f.groupCommands.changeGroup(ALICE, POP, GroupChange.pause(true)));
        assertThat(f.groupCommands.group(POP).sources()).containsEntry("paused", "runtime");
        assertThat(f.store.kv.get("consumer." + POP)).contains("\"paused\":true");
        AuditRecord r = f.records().get(0);
        assertThat(r.action()).isEqualTo("pause");
        assertThat(r.target()).isEqualTo(POP);
        assertThat(r.operator()).isEqualTo("alice");
        assertThat(String.valueOf(r.before())).contains("paused=false");
        assertThat(String.valueOf(r.after())).contains("paused=true");
        assertThat(r.result()).isEqualTo("ok");
    }

    @Test
    void aChange_whenTheRegistryStoreFails_isTheErrorValue_auditedAsFailed_andTheGroupStaysAsItWas()
        throws Exception {
        f.store.failing = ControlFixture.unreachable();
        Actor actor = new Actor("alice", "req-3");
        ProxyError e = failure(f.groupCommands.changeGroup(actor, POP, GroupChange.pause(true)));
        assertThat(e.status()).isEqualTo(500);
        f.store.failing = null;
        assertThat(f.groupCommands.group(POP).sources()).as("not paused").containsEntry("paused", "default");
        assertThat(f.store.kv).isEmpty();
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("pause");
            assertThat(r.result()).startsWith("failed: ");
            assertThat(r.after()).isNull();
        });
        assertThat(actor.wasFailureAudited()).isTrue();
    }

    @Test
    void aSettingOutOfBounds_isRefusedNamingIt_beforeAnythingIsWritten() throws Exception {
        ProxyError e = failure(f.groupCommands.changeGroup(ALICE, POP, GroupChange.maxPullSize(0)));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("maxPullSize:");
        assertThat(failure(f.groupCommands.changeGroup(ALICE, "nobody", GroupChange.pause(true))).status())
            .isEqualTo(404);
        nothingWrittenNorAudited();
    }

    @Test
    void anSql92Filter_whereABrokerDoesNotFilterByProperty_isRefusedNamingFilter_andWhereNoneCanBeAsked_isABrokerFailure()
        throws Exception {
        GroupChange sql = GroupChange.filter(new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "amount > 100"));
        f.filters = new PropertyFilterSupport.Answer(List.of("broker-b"), List.of());
        ProxyError off = failure(f.groupCommands.changeGroup(ALICE, POP, sql));
        assertThat(off.status()).isEqualTo(400);
        assertThat(off.getMessage()).startsWith("filter:").contains(PropertyFilterSupport.SETTING + "=true")
            .contains("broker-b");

        f.filters = new PropertyFilterSupport.Answer(List.of(), List.of("broker-a: timeout"));
        ProxyError unread = failure(f.groupCommands.changeGroup(ALICE, POP, sql));
        assertThat(unread.status()).isEqualTo(500);
        assertThat(unread.getMessage()).contains("broker-a: timeout");
        nothingWrittenNorAudited();

        // A tag filter needs nothing of the brokers.
        f.filters = null;
        done(f.groupCommands.changeGroup(ALICE, POP, GroupChange.filter(new SubscriptionFilter(
            SubscriptionFilter.Type.TAG, "paid"))));
        assertThat(f.records()).singleElement().extracting(AuditRecord::action).isEqualTo("filter");
    }

    // ---- views

    @Test
    void aBroadcastGroupsQueues_areReadForEachKnownClientId_andClientsOfAnotherGroup_isRefused() throws Exception {
        f.clients.clients.put(BROADCAST, List.of(
            new ClientDirectory.Entry(BrokerGroups.forClient(BROADCAST, "c1"), "c1", START),
            new ClientDirectory.Entry(BrokerGroups.forClient(BROADCAST, "c2"), "c2", START)));
        assertThat(done(f.groupCommands.queues(BROADCAST, null))).containsOnlyKeys("c1", "c2");
        assertThat(done(f.groupCommands.queues(POP, null))).containsOnlyKeys("");
        assertThat(failure(f.groupCommands.clients(POP)).getMessage()).startsWith("group:")
            .contains("not a broadcast group");
        assertThat(f.records()).as("reads are not audited").isEmpty();
    }
}
