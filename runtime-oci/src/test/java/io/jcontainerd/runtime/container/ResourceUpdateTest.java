package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Json;
import io.jcontainerd.runtime.spec.Resources;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceUpdateTest {
    static final Object CURRENT = Json.parse("""
            {"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":67108864,"swap":134217728},
             "cpu":{"shares":512,"cpus":"0-1"},"pids":{"limit":20}}""");

    @Test
    void keepsWhatTheRequestLeavesOutOrGivesRuncsNoChangeValue() {
        var u = ResourceUpdate.of(CURRENT, Json.parse("""
                {"memory":{"limit":33554432,"swap":0},"cpu":{"shares":0,"quota":50000,"cpus":""},"pids":{"limit":0}}"""), "r.json");
        Resources r = u.resources();
        assertThat(r.memory().limit()).isEqualTo(33554432L);
        assertThat(r.memory().swap()).isEqualTo(134217728L);
        assertThat(r.cpu().shares()).isEqualTo(512L);
        assertThat(r.cpu().quota()).isEqualTo(50000L);
        assertThat(r.cpu().cpus()).isEqualTo("0-1");
        assertThat(r.pids().limit()).isEqualTo(20);
        assertThat(r.devices()).as("kept in the state, never rewritten by update").hasSize(1);
        assertThat(Json.compact(u.merged())).contains("\"quota\":50000");
    }

    @Test
    void anUnlimitedMemoryLimitWithoutSwapLiftsSwapToo() {
        Resources r = ResourceUpdate.of(CURRENT, Json.parse("{\"memory\":{\"limit\":-1}}"), "flags").resources();
        assertThat(r.memory().limit()).isEqualTo(-1L);
        assertThat(r.memory().swap()).isEqualTo(-1L);
    }

    @Test
    void startsFromNothingWhenConfigJsonHadNoResources() {
        Resources r = ResourceUpdate.of(null, Json.parse("{\"blockIO\":{\"weight\":300},\"devices\":[{\"allow\":true}]}"), "flags").resources();
        assertThat(r.blockIO().weight()).isEqualTo(300);
        assertThat(r.devices()).as("device rules are not updated, as in runc").isEmpty();
    }

    @Test
    void refusesWrongTypesAndSectionsItCannotApplyNamingTheSource() {
        assertThatThrownBy(() -> ResourceUpdate.of(CURRENT, Json.parse("{\"memory\":{\"limit\":\"lots\"}}"), "resources file r.json"))
                .isInstanceOf(JruncException.class).hasMessage("resources file r.json: limit must be a number");
        assertThatThrownBy(() -> ResourceUpdate.of(CURRENT, Json.parse("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}"), "r.json"))
                .hasMessage("r.json: hugepageLimits cannot be updated by jrunc (it updates memory, cpu, pids and blockIO.weight)");
        assertThatThrownBy(() -> ResourceUpdate.of(CURRENT, Json.parse("[1]"), "r.json")).hasMessage("r.json: must be a LinuxResources JSON object");
        assertThat(ResourceUpdate.of(CURRENT, Json.parse("{\"hugepageLimits\":[],\"unified\":{}}"), "r.json").resources().pids().limit()).isEqualTo(20);
    }
}
