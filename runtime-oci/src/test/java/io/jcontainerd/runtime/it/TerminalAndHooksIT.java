package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalAndHooksIT extends InBusyboxBundle {
    @Test
    void terminalContainersGetAPtyWhoseMasterArrivesOnTheConsoleSocket() throws Exception {
        bundle.process().put("terminal", true);
        bundle.args("sh", "-c", "tty; echo hello-from-pty; sleep 1000");
        Path sock = bundle.dir.resolve("console.sock");
        String id = "tty-" + UUID.randomUUID().toString().substring(0, 8);
        try (ConsoleSocket console = new ConsoleSocket(sock)) {
            var create = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return jrunc.run("create", "--bundle", bundle.dir.toString(), "--console-socket", sock.toString(), id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int master = console.receiveMaster();
            Jrunc.Result created = create.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(created.code()).as(created.stderr()).isZero();
            assertThat(jrunc.run("start", id).code()).isZero();
            String out = ConsoleSocket.readUntil(master, "hello-from-pty");
            assertThat(out).contains("/dev/pts/0").contains("hello-from-pty");
            ConsoleSocket.C.I.close(master);
        }
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    /** What {@code stty size} printed on the pty of a container created by {@code runtime} from the bundle. */
    private String sttySizeOnThePty(Jrunc runtime, String id) throws Exception {
        Path sock = bundle.dir.resolve("console-" + id + ".sock");
        try (ConsoleSocket console = new ConsoleSocket(sock)) {
            var create = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.run("create", "--bundle", bundle.dir.toString(), "--console-socket", sock.toString(), id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int master = console.receiveMaster();
            try {
                Jrunc.Result created = create.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(created.code()).as(created.stderr()).isZero();
                assertThat(runtime.run("start", id).code()).isZero();
                String out = ConsoleSocket.readUntil(master, "]");
                assertThat(out).as("the pty's output").contains("size[");
                return out.substring(out.indexOf("size[") + 5, out.indexOf(']', out.indexOf("size[")));
            } finally {
                ConsoleSocket.C.I.close(master);
                runtime.run("delete", "--force", id);
            }
        }
    }

    @Test
    void theSpecsConsoleSizeIsThePtysSizeFromTheStartAsWithRunc() throws Exception {
        bundle.process().put("terminal", true);
        bundle.process().putObject("consoleSize").put("height", 30).put("width", 100);
        bundle.args("sh", "-c", "echo \"size[$(stty size 2>&1)]\"; sleep 1000");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String withJrunc = sttySizeOnThePty(jrunc, "size-j-" + suffix);
        String withRunc;
        try (Jrunc runc = Jrunc.runc()) {
            withRunc = sttySizeOnThePty(runc, "size-r-" + suffix);
        }
        assertThat(withRunc).as("runc").isEqualTo("30 100");
        assertThat(withJrunc).as("jrunc").isEqualTo(withRunc);
    }

    @Test
    void withoutAConsoleSizeThePtyHasNoSizeAsWithRunc() throws Exception {
        bundle.process().put("terminal", true);
        bundle.args("sh", "-c", "echo \"size[$(stty size 2>&1)]\"; sleep 1000");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String withJrunc = sttySizeOnThePty(jrunc, "nosize-j-" + suffix);
        String withRunc;
        try (Jrunc runc = Jrunc.runc()) {
            withRunc = sttySizeOnThePty(runc, "nosize-r-" + suffix);
        }
        assertThat(withRunc).as("runc: busybox says so when the pty has 0 rows").isEqualTo("stty: standard input");
        assertThat(withJrunc).as("jrunc").isEqualTo(withRunc);
    }

    @Test
    void hooksRunAtTheirPhasesWithTheStateOnStdin() throws Exception {
        Path out = Files.createDirectories(bundle.dir.resolve("hooks-out"));
        ObjectNode hooks = bundle.config.putObject("hooks");
        for (String phase : new String[] {"prestart", "createRuntime", "poststart", "poststop"}) {
            ArrayNode list = hooks.putArray(phase);
            ObjectNode h = list.addObject();
            h.put("path", "/bin/sh");
            h.putArray("args").add("sh").add("-c").add("cat > " + out.resolve(phase + ".json"));
        }
        bundle.args("true");
        String id = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result r = jrunc.run("run", "--bundle", bundle.dir.toString(), id);
        assertThat(r.code()).as(r.stderr()).isZero();
        for (String phase : new String[] {"prestart", "createRuntime", "poststart", "poststop"}) {
            JsonNode state = BusyboxBundle.JSON.readTree(out.resolve(phase + ".json").toFile());
            assertThat(state.get("id").asText()).as(phase).isEqualTo(id);
            assertThat(state.get("bundle").asText()).as(phase).isEqualTo(bundle.dir.toString());
        }
        assertThat(BusyboxBundle.JSON.readTree(out.resolve("createRuntime.json").toFile()).get("status").asText()).isEqualTo("creating");
        assertThat(BusyboxBundle.JSON.readTree(out.resolve("createRuntime.json").toFile()).get("pid").asInt()).isPositive();
        assertThat(BusyboxBundle.JSON.readTree(out.resolve("poststop.json").toFile()).get("status").asText()).isEqualTo("stopped");
    }

    @Test
    void aFailingPrestartHookAbortsCreateAndLeavesNothing() throws Exception {
        ObjectNode hooks = bundle.config.putObject("hooks");
        hooks.putArray("prestart").addObject().put("path", "/bin/false");
        bundle.args("true");
        bundle.save();
        String id = "hookfail-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result r = jrunc.run("create", "--bundle", bundle.dir.toString(), id);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("prestart hook #0 /bin/false exited with status 1");
        assertThat(Files.exists(jrunc.root.resolve(id))).isFalse();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/" + id))).isFalse();
    }

    private String hook(String phase, String script, Integer timeout) throws Exception {
        ObjectNode h = ((ObjectNode) bundle.config.with("hooks")).putArray(phase).addObject();
        h.put("path", "/bin/sh");
        h.putArray("args").add("sh").add("-c").add(script);
        if (timeout != null) h.put("timeout", timeout);
        bundle.save();
        return phase + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aFailingCreateContainerHookFailsCreateWithItsStatusAndOutputAndLeavesNothing() throws Exception {
        bundle.args("true");
        String id = hook("createContainer", "echo no-gpu-here >&2; exit 3", null);
        Jrunc.Result r = jrunc.run("create", "--bundle", bundle.dir.toString(), id);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("createContainer hook #0 /bin/sh exited with status 3; its output: no-gpu-here");
        assertThat(Files.exists(jrunc.root.resolve(id))).isFalse();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/" + id))).isFalse();
        assertThat(jrunc.run("state", id).code()).isEqualTo(1);
    }

    @Test
    void aFailingStartContainerHookFailsStartAndTheContainerNeverRunsItsProcess() throws Exception {
        Path marker = bundle.rootfs().resolve("tmp/ran");
        bundle.args("touch", "/tmp/ran");
        String id = hook("startContainer", "echo refused; exit 4", null);
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), id).code()).isZero();
        Jrunc.Result start = jrunc.run("start", id);
        assertThat(start.code()).isEqualTo(1);
        assertThat(start.stderr()).contains("cannot start container " + id + ": startContainer hook #0 /bin/sh exited with status 4; its output: refused");
        assertThat(jrunc.run("state", id).stdout()).contains("\"status\": \"stopped\"");
        assertThat(marker).doesNotExist();
        assertThat(jrunc.run("delete", id).code()).isZero();
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/" + id))).isFalse();
    }

    @Test
    void aHookRunningPastItsTimeoutIsKilledAndFailsCreate() throws Exception {
        bundle.args("true");
        String id = hook("createContainer", "sleep 60", 1);
        long t0 = System.nanoTime();
        Jrunc.Result r = jrunc.run("create", "--bundle", bundle.dir.toString(), id);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("createContainer hook #0 /bin/sh ran past its timeout of 1 s and was killed");
        assertThat(System.nanoTime() - t0).as("not the hook's 60 s").isLessThan(30_000_000_000L);
        assertThat(Files.exists(jrunc.root.resolve(id))).isFalse();
    }

    @Test
    void featuresListEveryHookPhase() throws Exception {
        Jrunc.Result r = jrunc.run("features");
        assertThat(r.code()).isZero();
        assertThat(BusyboxBundle.JSON.readTree(r.stdout()).get("hooks")).extracting(JsonNode::asText)
                .containsExactly("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
    }
}
