package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JruncLifecycleIT extends InBusyboxBundle {
    static String id() { return "it-" + UUID.randomUUID().toString().substring(0, 8); }

    @Test
    void runPrintsPid1AndTheHostnameFromTheSpec() throws Exception {
        bundle.args("sh", "-c", "echo $$; hostname");
        Jrunc.Result r = jrunc.run("run", "--bundle", bundle.dir.toString(), id());
        assertThat(r.stdout()).isEqualTo("1\njrunc-it\n");
        assertThat(r.code()).isZero();
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void exitCodesAndKillingSignalsPassThroughLikeRunc() throws Exception {
        bundle.args("sh", "-c", "exit 7");
        assertThat(jrunc.run("run", "--bundle", bundle.dir.toString(), id()).code()).isEqualTo(7);
        // PID 1 ignores its own SIGKILL (runc gives 0 for `kill -9 $$` too); kill it from outside
        bundle.args("sleep", "1000");
        String id = id();
        var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return jrunc.run("run", "--bundle", bundle.dir.toString(), id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 200 && !jrunc.run("state", id).stdout().contains("\"running\""); i++) Thread.sleep(50);
        assertThat(jrunc.run("kill", id, "9").code()).isZero();
        assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS).code()).isEqualTo(137);
    }

    @Test
    void createStartKillDeleteWalksThroughTheStates() throws Exception {
        bundle.args("sleep", "1000");
        String id = id();
        Path pidFile = bundle.dir.resolve("init.pid");
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), "--pid-file", pidFile.toString(), id).code()).isZero();
        JsonNode created = state(id);
        assertThat(created.get("status").asText()).isEqualTo("created");
        assertThat(created.get("pid").asInt()).isEqualTo(Integer.parseInt(Files.readString(pidFile).trim()));
        assertThat(Files.readString(Path.of("/proc/" + created.get("pid").asInt() + "/status"))).contains("NSpid:\t" + created.get("pid").asInt() + "\t1");

        assertThat(jrunc.run("start", id).code()).isZero();
        assertThat(state(id).get("status").asText()).isEqualTo("running");
        Jrunc.Result again = jrunc.run("start", id);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.stderr()).contains("cannot start container " + id + ": it is running, not created");

        assertThat(jrunc.run("pause", id).code()).isZero();
        assertThat(state(id).get("status").asText()).isEqualTo("paused");
        assertThat(jrunc.run("resume", id).code()).isZero();
        assertThat(state(id).get("status").asText()).isEqualTo("running");

        Jrunc.Result refused = jrunc.run("delete", id);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.stderr()).contains("cannot delete container " + id + " that is not stopped: running");

        assertThat(jrunc.run("kill", id, "KILL").code()).isZero();
        awaitStatus(id, "stopped");
        assertThat(jrunc.run("delete", id).code()).isZero();
        Jrunc.Result gone = jrunc.run("state", id);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.stderr()).contains("container " + id + " does not exist");
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/" + id))).as("cgroup removed").isFalse();
        assertThat(Files.exists(jrunc.root.resolve(id))).as("state dir removed").isFalse();
    }

    @Test
    void listShowsContainersAsTableAndJson() throws Exception {
        bundle.args("sleep", "1000");
        String id = id();
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), id).code()).isZero();
        assertThat(jrunc.run("list").stdout()).contains(id).contains("created");
        JsonNode json = BusyboxBundle.JSON.readTree(jrunc.run("list", "--format", "json").stdout());
        assertThat(json.get(0).get("id").asText()).isEqualTo(id);
        assertThat(jrunc.run("delete", id).code()).as("a created container can be deleted without --force").isZero();
    }

    @Test
    void execRunsAnotherProcessInTheContainersNamespaces() throws Exception {
        bundle.args("sleep", "1000");
        String id = id();
        assertThat(jrunc.run("run", "-d", "--bundle", bundle.dir.toString(), id).code()).isZero();
        Jrunc.Result r = jrunc.run("exec", id, "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 3");
        assertThat(r.stdout()).isEqualTo("jrunc-it\nsleep 1000 \n");
        assertThat(r.code()).isEqualTo(3);
        Jrunc.Result ps = jrunc.run("ps", "--format", "json", id);
        assertThat(BusyboxBundle.JSON.readTree(ps.stdout()).size()).isEqualTo(1);
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    @Test
    void badInputFailsWithOneLineNamingTheCulpritAndLeavesNothingBehind() throws Exception {
        bundle.args("sleep", "1000");
        String id = id();
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), id).code()).isZero();
        Jrunc.Result dup = jrunc.run("create", "--bundle", bundle.dir.toString(), id);
        assertThat(dup.code()).isEqualTo(1);
        assertThat(dup.stderr()).contains("container " + id + " already exists");
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();

        assertThat(jrunc.run("delete", "--force", "nope-" + id).code()).as("delete --force of nothing succeeds, as runc").isZero();
        for (String verb : new String[] {"start", "kill", "delete", "state"}) {
            Jrunc.Result r = jrunc.run(verb, "nope-" + id);
            assertThat(r.code()).as(verb).isEqualTo(1);
            assertThat(r.stderr()).as(verb).contains("container nope-" + id + " does not exist");
        }

        bundle.args("no-such-program");
        String missing = id();
        Jrunc.Result r = jrunc.run("create", "--bundle", bundle.dir.toString(), missing);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("executable file not found in $PATH").contains("no-such-program");
        assertThat(Files.exists(jrunc.root.resolve(missing))).isFalse();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/" + missing))).isFalse();

        Files.writeString(bundle.dir.resolve("config.json"), "{\"ociVersion\": ");
        Jrunc.Result malformed = jrunc.run("create", "--bundle", bundle.dir.toString(), id());
        assertThat(malformed.code()).isEqualTo(1);
        assertThat(malformed.stderr()).contains("malformed").contains("config.json").doesNotContain("Exception");
        assertThat(jrunc.run("list", "--format", "json").stdout().trim()).isEqualTo("[]");
    }

    @Test
    void mountDestinationsThatEscapeThroughSymlinksLandInsideTheRootfs() throws Exception {
        Files.createSymbolicLink(bundle.rootfs().resolve("escape"), Path.of("/../../../../tmp"));
        var mounts = (com.fasterxml.jackson.databind.node.ArrayNode) bundle.config.get("mounts");
        mounts.addObject().put("destination", "/escape/jrunc-escape-probe").put("type", "tmpfs").put("source", "tmpfs");
        bundle.args("sh", "-c", "grep -c jrunc-escape-probe /proc/self/mountinfo");
        Jrunc.Result r = jrunc.run("run", "--bundle", bundle.dir.toString(), id());
        assertThat(r.stdout().trim()).isEqualTo("1");
        assertThat(Files.exists(Path.of("/tmp/jrunc-escape-probe"))).as("nothing created on the host").isFalse();
        assertThat(Files.isDirectory(bundle.rootfs().resolve("tmp/jrunc-escape-probe"))).isTrue();
    }

    @Test
    void appliesMemoryAndPidsLimitsThroughCgroups() throws Exception {
        var res = bundle.linux().putObject("resources");
        res.putObject("memory").put("limit", 64L * 1024 * 1024);
        res.putObject("pids").put("limit", 32);
        res.putObject("cpu").put("shares", 512).put("quota", 50000).put("period", 100000);
        bundle.args("sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max "
                + "/sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        Jrunc.Result r = jrunc.run("run", "--bundle", bundle.dir.toString(), id());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("67108864\n32\n512\n50000\n");
    }

    @Test
    void aPidsLimitBelowTheInitJvmsThreadCountStillStartsTheContainer() throws Exception {
        // the init stage joins with its exec thread only (cgroup v1 tasks): its JVM's other threads never count
        bundle.linux().putObject("resources").putObject("pids").put("limit", 3);
        bundle.args("sh", "-c", "cat /sys/fs/cgroup/pids/pids.current /sys/fs/cgroup/pids/pids.max");
        Jrunc.Result r = jrunc.run("run", "--bundle", bundle.dir.toString(), id());
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("1\n3\n"); // sh execs cat: one process
    }

    private JsonNode state(String id) throws Exception {
        Jrunc.Result r = jrunc.run("state", id);
        assertThat(r.code()).as(r.stderr()).isZero();
        return BusyboxBundle.JSON.readTree(r.stdout());
    }

    private void awaitStatus(String id, String status) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (state(id).get("status").asText().equals(status)) return;
            Thread.sleep(50);
        }
        assertThat(state(id).get("status").asText()).isEqualTo(status);
    }
}
