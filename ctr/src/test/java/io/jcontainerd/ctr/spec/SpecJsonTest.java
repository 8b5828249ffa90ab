package io.jcontainerd.ctr.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SpecJson writes what Jackson wrote for the same records (the daemon stores and shows these bytes). */
class SpecJsonTest {
    private final ObjectMapper jackson = new ObjectMapper();

    private void sameAsJackson(Spec spec) throws Exception {
        assertThat(SpecJson.write(spec)).isEqualTo(jackson.writeValueAsString(spec));
    }

    @Test
    void aDefaultRunSpecIsWrittenAsJacksonWroteIt() throws Exception {
        List<String> caps = List.of("CAP_CHOWN", "CAP_KILL");
        var process = new Spec.Process(null, new Spec.User(0, 0, List.of()), List.of("sh", "-c", "echo hi"),
                List.of("PATH=/bin", "HOSTNAME=x"), "/", new Spec.Capabilities(caps, caps, caps),
                List.of(new Spec.Rlimit("RLIMIT_NOFILE", 1024, 1024)), true);
        var linux = new Spec.Linux(List.of(), new Spec.Resources(List.of(new Spec.DeviceRule(false, null, null, null, "rwm"),
                new Spec.DeviceRule(true, "c", 1L, 3L, "rwm")), null, null), "/default/x",
                List.of(new Spec.Namespace("pid"), new Spec.Namespace("network", "/var/run/netns/cni-1")),
                List.of("/proc/kcore"), List.of("/proc/sys"));
        sameAsJackson(new Spec("1.0.2-dev", process, new Spec.Root("rootfs", null), "x",
                List.of(new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec")),
                        new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of())), Map.of(), linux));
    }

    @Test
    void nullsEmptiesAndZerosAreLeftOutOrKeptPerRecordAsJacksonDid() throws Exception {
        var process = new Spec.Process(true, new Spec.User(1000, 1000, null), List.of("true"), List.of(), "",
                new Spec.Capabilities(List.of(), null, List.of()), List.of(new Spec.Rlimit(null, 0, 0)), false);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("b", "2");
        annotations.put("a", null);
        var linux = new Spec.Linux(List.of(new Spec.Device("/dev/null", "c", 1, 3, 438, 0L, null),
                new Spec.Device("/dev/x", null, 0, 0, null, null, 0L)),
                new Spec.Resources(List.of(), new Spec.Memory(0), new Spec.Cpu(null, -1L, 100000L)), "",
                List.of(new Spec.Namespace("ipc", null)), List.of(), null);
        sameAsJackson(new Spec("", process, new Spec.Root("", false), null, null, annotations, linux));
        sameAsJackson(new Spec(null, null, null, null, List.of(), Map.of(), null));
        sameAsJackson(new Spec("1", null, null, "h", null, null, new Spec.Linux(null, new Spec.Resources(null, null, null),
                null, null, null, null)));
    }

    @Test
    void textIsEscapedAsJacksonEscapesIt() throws Exception {
        StringBuilder all = new StringBuilder("quote\" backslash\\ slash/ <tag>&amp; é ✓ \u007f \u2028");
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        List<String> args = new ArrayList<>(List.of(all.toString(), "", "emoji \uD83D\uDE00"));
        var process = new Spec.Process(null, null, args, List.of("K=" + all), all.toString(), null, null, null);
        sameAsJackson(new Spec("1.0.2", process, null, all.toString(), null, Map.of(all.toString(), all.toString()), null));
    }
}
