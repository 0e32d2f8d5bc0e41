package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Started in the order added; stopped backwards, every component's quiesce before any close. */
class ComponentsTest {
    private final List<String> steps = new ArrayList<>();
    private final Components components = new Components();

    private Components.Step step(String what) {
        return () -> steps.add(what);
    }

    @Test
    void startsInOrder_quiescesBackwards_thenClosesBackwards() throws Exception {
        components.add("clients", null, null, step("close clients"));
        components.add("service", step("start service"), step("quiesce service"), step("close service"));
        components.add("servers", step("start servers"), null, step("close servers"));
        components.add("long polls", null, step("answer long polls"), null);

        components.start();
        components.stop();

        assertThat(steps).containsExactly("start service", "start servers",
            "answer long polls", "quiesce service",
            "close servers", "close service", "close clients");
    }

    @Test
    void aFailedStart_isThrown_andStopStillStopsEverythingAdded() {
        components.add("clients", null, null, step("close clients"));
        components.add("servers", () -> {
            throw new IllegalStateException("port in use");
        }, null, step("close servers"));
        components.add("later", step("start later"), null, step("close later"));

        assertThatThrownBy(components::start).hasMessage("port in use");
        components.stop();

        assertThat(steps).containsExactly("close later", "close servers", "close clients");
    }

    @Test
    void aStepThatFails_doesNotStopTheOthers() {
        components.add("clients", null, null, step("close clients"));
        components.add("service", null, () -> {
            throw new IllegalStateException("broken");
        }, () -> {
            throw new IllegalStateException("broken");
        });

        components.stop();

        assertThat(steps).containsExactly("close clients");
    }
}
