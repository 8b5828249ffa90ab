package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeccompProfilesTest {
    @SuppressWarnings("unchecked")
    static List<String> allowed(Map<String, Object> profile) {
        return ((List<Map<String, Object>>) profile.get("syscalls")).stream()
                .filter(r -> r.get("action").equals("SCMP_ACT_ALLOW") && !r.containsKey("args"))
                .flatMap(r -> ((List<String>) r.get("names")).stream()).toList();
    }

    @Test
    void runtimeDefaultDeniesWithEpermAndAllowsMountAndUnshareOnlyWithCapSysAdmin() {
        Map<String, Object> plain = SeccompProfiles.runtimeDefault(PodSpecs.DEFAULT_CAPS);
        List<String> caps = new java.util.ArrayList<>(PodSpecs.DEFAULT_CAPS);
        caps.add("CAP_SYS_ADMIN");
        Map<String, Object> admin = SeccompProfiles.runtimeDefault(caps);

        assertThat(plain).containsEntry("defaultAction", "SCMP_ACT_ERRNO").containsEntry("defaultErrnoRet", 1);
        assertThat(allowed(plain)).contains("read", "write", "execve", "mkdir", "socket").doesNotContain("mount", "unshare", "keyctl", "setns", "bpf");
        assertThat(allowed(admin)).contains("mount", "unshare", "setns");
        assertThat(allowed(admin)).doesNotContain("keyctl", "add_key", "kexec_load");
    }

    @Test
    void rulesForOtherArchitecturesAreDropped() {
        Map<String, Object> p = SeccompProfiles.resolve("t", """
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}},
                  {"names":["b"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"]}},
                  {"names":["c"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}}]}
                """.getBytes(StandardCharsets.UTF_8), List.of());

        assertThat(allowed(p)).containsExactly("b");
    }

    @Test
    void badProfilesAreRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> SeccompProfiles.resolve("p", "[1]".getBytes(StandardCharsets.UTF_8), List.of()))
                .isInstanceOf(JcdException.class).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> SeccompProfiles.resolve("p", "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}".getBytes(StandardCharsets.UTF_8), List.of()))
                .hasMessageContaining("defaultAction \"SCMP_ACT_NOTIFY\" is not a seccomp action");
        assertThatThrownBy(() -> SeccompProfiles.resolve("p", """
                {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}
                """.getBytes(StandardCharsets.UTF_8), List.of())).hasMessageContaining("syscalls[0].args index must be 0 to 5");
        assertThatThrownBy(() -> SeccompProfiles.resolve("p", """
                {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"LIKE"}]}]}
                """.getBytes(StandardCharsets.UTF_8), List.of())).hasMessageContaining("op \"LIKE\" is unknown");
        assertThatThrownBy(() -> SeccompProfiles.resolve("p", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\"}"
                .getBytes(StandardCharsets.UTF_8), List.of())).hasMessageContaining("field \"listenerPath\" is not supported");
        assertThatThrownBy(() -> SeccompProfiles.forRequest("c", null, "localhost/relative.json", List.of()))
                .hasMessageContaining("absolute path");
        assertThatThrownBy(() -> SeccompProfiles.forRequest("c", null, "bogus", List.of()))
                .hasMessageContaining("seccomp_profile_path \"bogus\"");
    }
}
