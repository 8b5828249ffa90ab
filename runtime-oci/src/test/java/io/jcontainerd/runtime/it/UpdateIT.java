package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** `update` on running containers of the same bundle under runc and jrunc: the cgroup files must end up the same. */
class UpdateIT {
    static final List<String> FILES = List.of("memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes",
            "memory/memory.soft_limit_in_bytes", "cpu/cpu.shares", "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us",
            "cpuset/cpuset.cpus", "pids/pids.max");

    TwoRuntimes runtimes;
    Jrunc jrunc, runc;
    BusyboxBundle bundle;
    String id = "upd-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        jrunc = runtimes.jrunc;
        runc = runtimes.runc;
        bundle = runtimes.bundle.args("sleep", "1000");
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    /** The container's limits, read from the cgroups its init is in (runc nests a container without cgroupsPath under its own). */
    Map<String, String> limits(String name) throws Exception {
        Jrunc runtime = name.endsWith("-r") ? runc : jrunc;
        int pid = BusyboxBundle.JSON.readTree(runtime.run("state", name).stdout()).get("pid").asInt();
        Map<String, String> paths = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            for (String c : f[1].split(",")) paths.put(c, f[2]);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : FILES) {
            String controller = f.substring(0, f.indexOf('/'));
            Path file = Path.of("/sys/fs/cgroup/" + controller + paths.get(controller), f.substring(f.indexOf('/') + 1));
            out.put(f, Files.readString(file).trim());
        }
        return out;
    }

    private void start(Jrunc runtime, String name) throws Exception {
        Jrunc.Result r = runtime.run("run", "-d", "--bundle", bundle.dir.toString(), name);
        assertThat(r.code()).as(r.stderr()).isZero();
    }

    /** Runs the same update under both; returns jrunc's limits once they equal runc's. */
    private Map<String, String> same(String stdin, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("update"));
        a.addAll(List.of(args));
        List<String> r = new ArrayList<>(a), j = new ArrayList<>(a);
        r.add(id + "-r");
        j.add(id + "-j");
        Jrunc.Result byRunc = runc.runWithStdin(stdin, r.toArray(String[]::new));
        Jrunc.Result byJrunc = jrunc.runWithStdin(stdin, j.toArray(String[]::new));
        assertThat(byRunc.code()).as("runc: %s", byRunc.stderr()).isZero();
        assertThat(byJrunc.code()).as("jrunc: %s", byJrunc.stderr()).isZero();
        Map<String, String> jl = limits(id + "-j");
        assertThat(jl).as("after update %s", a).isEqualTo(limits(id + "-r"));
        return jl;
    }

    @Test
    void flagsAResourcesFileAndStdinChangeTheCgroupAsRuncDoes() throws Exception {
        start(runc, id + "-r");
        start(jrunc, id + "-j");
        assertThat(limits(id + "-j")).isEqualTo(limits(id + "-r"));

        Map<String, String> l = same(null, "--memory", "64m", "--memory-swap", "128m", "--memory-reservation", "32m", "--cpu-share", "512",
                "--cpu-quota", "50000", "--cpu-period", "200000", "--cpuset-cpus", "0", "--pids-limit", "20");
        assertThat(l).containsEntry("memory/memory.limit_in_bytes", "67108864").containsEntry("memory/memory.memsw.limit_in_bytes", "134217728")
                .containsEntry("cpu/cpu.cfs_quota_us", "50000").containsEntry("cpuset/cpuset.cpus", "0").containsEntry("pids/pids.max", "20");

        // growing memory past the current swap limit needs swap written first; the file leaves everything else alone
        Path file = bundle.dir.resolve("resources.json");
        Files.writeString(file, "{\"memory\":{\"limit\":268435456,\"swap\":536870912}}");
        l = same(null, "--resources", file.toString());
        assertThat(l).containsEntry("memory/memory.limit_in_bytes", "268435456").containsEntry("cpu/cpu.shares", "512");

        // memory -1 without swap lifts both; from stdin
        l = same("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1},\"pids\":{\"limit\":-1}}", "-r", "-");
        assertThat(l).containsEntry("pids/pids.max", "max").containsEntry("cpu/cpu.cfs_quota_us", "-1");
        assertThat(Long.parseLong(l.get("memory/memory.memsw.limit_in_bytes"))).isGreaterThan(1L << 40);
    }

    @Test
    void refusesAnUnknownOrStoppedContainerAndBadValuesAndKeepsThePreviousLimits() throws Exception {
        Jrunc.Result unknown = jrunc.run("update", "--memory", "32m", id + "-nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("container " + id + "-nope does not exist");

        start(jrunc, id);
        Map<String, String> before = limits(id);
        Jrunc.Result badSize = jrunc.run("update", "--memory", "12q", id);
        assertThat(badSize.code()).isEqualTo(1);
        assertThat(badSize.stderr()).contains("invalid value for --memory: 12q is not a size");

        // the kernel refuses cpu 9 on this 2-cpu machine after the memory limit was written: that is undone
        Jrunc.Result refused = jrunc.run("update", "--memory", "32m", "--cpuset-cpus", "9", id);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.stderr()).contains("cannot update container " + id + ": cannot write 9 to /sys/fs/cgroup/cpuset/" + id
                + "/cpuset.cpus").contains("its previous limits are kept");
        assertThat(limits(id)).isEqualTo(before);
        Path bad = bundle.dir.resolve("bad.json");
        Files.writeString(bad, "{\"memory\":{\"limit\":\"lots\"}}");
        assertThat(jrunc.run("update", "--resources", bad.toString(), id).stderr()).contains("resources file " + bad + ": limit must be a number");
        assertThat(jrunc.run("update", "-r", bundle.dir.resolve("missing.json").toString(), id).stderr()).contains("missing.json does not exist");
        assertThat(limits(id)).isEqualTo(before);

        assertThat(jrunc.run("kill", id, "KILL").code()).isZero();
        for (int i = 0; i < 200 && !jrunc.run("state", id).stdout().contains("\"stopped\""); i++) Thread.sleep(25);
        Jrunc.Result stopped = jrunc.run("update", "--memory", "32m", id);
        assertThat(stopped.code()).isEqualTo(1);
        assertThat(stopped.stderr()).contains("cannot update container " + id + ": it is stopped");
    }
}
