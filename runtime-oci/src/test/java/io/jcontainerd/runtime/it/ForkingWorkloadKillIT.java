package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `kill --all KILL` and `delete --force` on a container whose processes keep replacing themselves (each
 * starts its successor and exits, so pids change faster than a list of them can be signalled). The
 * container joins the pid namespace of a sandbox container (as a pod's containers do), so killing its
 * first process does not end the rest: only freezing the cgroup before signalling (runc's
 * signalAllProcesses) reaches every process. The sandbox's shell, the namespace's reaper, reaps the orphans.
 */
class ForkingWorkloadKillIT {
    static final int HOPPERS = 20;
    TwoRuntimes runtimes;
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String script = "/hop-" + tag + ".sh";
    final List<String> sandboxes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        // each hopper starts its successor and exits
        Files.writeString(runtimes.bundle.rootfs().resolve(script.substring(1)), "sh " + script + " &\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            runtimes.close(); // the sandboxes' deletion ends their pid namespaces and every hopper in them
        } finally {
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path h : hierarchies.toList()) {
                    Path parent = h.resolve("jrunc-it-hop-" + tag);
                    if (!Files.isDirectory(parent)) continue;
                    try (var children = Files.list(parent)) {
                        for (Path c : children.filter(Files::isDirectory).toList()) Files.deleteIfExists(c);
                    }
                    Files.deleteIfExists(parent);
                }
            }
        }
    }

    /** A sandbox with its own pid namespace whose init reaps whatever is reparented to it; returns its host pid. */
    private int sandbox(Jrunc runtime, String id) throws Exception {
        runtimes.bundle.args("sh", "-c", "while :; do sleep 1 & wait; done");
        runtimes.bundle.save();
        Jrunc.Result r = runtime.run("run", "-d", "--bundle", runtimes.bundle.dir.toString(), id);
        assertThat(r.code()).as("%s sandbox: %s", runtime.binary, r.stderr()).isZero();
        return pid(runtime, id);
    }

    private static int pid(Jrunc runtime, String id) throws Exception {
        String state = runtime.run("state", id).stdout();
        return Integer.parseInt(state.replaceAll("(?s).*\"pid\":\\s*(\\d+).*", "$1"));
    }

    /** The forking container in the sandbox's pid namespace: its init stays, HOPPERS chains keep replacing themselves. */
    private void hoppers(Jrunc runtime, String id, int sandboxPid) throws Exception {
        ArrayNode ns = runtimes.bundle.linux().putArray("namespaces");
        ns.addObject().put("type", "pid").put("path", "/proc/" + sandboxPid + "/ns/pid");
        for (String t : List.of("ipc", "uts", "mount", "network")) ns.addObject().put("type", t);
        runtimes.bundle.linux().put("cgroupsPath", "/jrunc-it-hop-" + tag + "/" + id);
        // TwoRuntimes' 50 pids: orphaned hoppers stay zombies (and counted) until the sandbox's shell reaps them, so on
        // a loaded machine forks failed with EAGAIN and every chain died out before the test could see it
        ((com.fasterxml.jackson.databind.node.ObjectNode) runtimes.bundle.linux().get("resources")).putObject("pids").put("limit", 4096);
        runtimes.bundle.args("sh", "-c", "i=0; while [ $i -lt " + HOPPERS + " ]; do sh " + script + " & i=$((i+1)); done; wait; exec sleep 600");
        runtimes.bundle.save();
        Jrunc.Result r = runtime.run("run", "-d", "--bundle", runtimes.bundle.dir.toString(), id);
        assertThat(r.code()).as("%s run: %s", runtime.binary, r.stderr()).isZero();
    }

    /** Host pids of processes running the hopper script. */
    private List<Integer> hopping() throws Exception {
        List<Integer> out = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readString(p.resolve("cmdline")).contains(script)) out.add(Integer.parseInt(name));
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }

    private void awaitHopping() throws Exception {
        long until = System.nanoTime() + 30_000_000_000L;
        while (hopping().size() < HOPPERS / 2) {
            if (System.nanoTime() > until) throw new AssertionError("the hoppers did not start: " + hopping());
            Thread.sleep(20); // not a spin: the sandbox's shell must get the CPU to reap the orphans
        }
    }

    /** Waits up to 10 s for every hopper to be gone; returns what is left. */
    private List<Integer> remainingAfter10s() throws Exception {
        long until = System.nanoTime() + 10_000_000_000L;
        List<Integer> left = hopping();
        while (!left.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
            left = hopping();
        }
        return left;
    }

    private void killAllEndsEveryProcess(Jrunc runtime, String suffix) throws Exception {
        String box = "hopbox-" + tag + suffix, id = "hop-" + tag + suffix;
        int sandboxPid = sandbox(runtime, box);
        hoppers(runtime, id, sandboxPid);
        awaitHopping();
        Jrunc.Result kill = runtime.run("kill", "--all", id, "KILL");
        assertThat(kill.code()).as("%s kill --all: %s", runtime.binary, kill.stderr()).isZero();
        assertThat(remainingAfter10s()).as("%s: processes left after kill --all KILL", runtime.binary).isEmpty();
        Jrunc.Result delete = runtime.run("delete", id);
        assertThat(delete.code()).as("%s delete: %s", runtime.binary, delete.stderr()).isZero();
    }

    @Test
    void killAllKillEndsAForkingWorkloadUnderRuncAndJrunc() throws Exception {
        killAllEndsEveryProcess(runtimes.runc, "-r");
        killAllEndsEveryProcess(runtimes.jrunc, "-j");
    }

    @Test
    void deleteForceEndsAForkingWorkload() throws Exception {
        String box = "hopbox-" + tag + "-d", id = "hop-" + tag + "-d";
        int sandboxPid = sandbox(runtimes.jrunc, box);
        hoppers(runtimes.jrunc, id, sandboxPid);
        awaitHopping();
        Jrunc.Result delete = runtimes.jrunc.run("delete", "--force", id);
        assertThat(delete.code()).as("delete --force: %s", delete.stderr()).isZero();
        assertThat(remainingAfter10s()).as("processes left after delete --force").isEmpty();
        assertThat(runtimes.jrunc.run("state", id).code()).isNotZero();
    }
}
