package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.runtime.container.Children;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.InitCommand;
import io.jcontainerd.runtime.container.StdioFds;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.spec.Process;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CVE-2016-9962's class: a container holding CAP_SYS_PTRACE (and DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER,
 * SYS_CHROOT) runs a loop over every /proc/&lt;pid&gt;/{root,cwd} and /proc/&lt;pid&gt;/task/&lt;tid&gt;/{root,cwd}
 * it can see, looking for a directory that exists only on the host and writing a marker through it,
 * while execs boot their init JVMs in its pid namespace (50 through the jrunc command, 10 through
 * {@link Containers} in this JVM, the shim's path) and while containers that join its pid namespace
 * by path are created. It must never reach the host. runc's execs are asserted the same way; for a create
 * joining the pid namespace runc's init is asserted to reach it (its setup holds the host's root), jrunc's
 * processes not to.
 */
class HostRootThroughProcIT {
    /**
     * $1: the host-only directory; $2: the JDK's home (seen through a root: the scan did overlap a JVM);
     * $3: "tasks" to look at every thread's root and cwd too, not only each process's (its first thread's).
     */
    static final String SCAN = """
            exec > /tmp/scan.log 2>&1
            H=$1; J=$2; n=0
            G='/proc/[0-9]*/root /proc/[0-9]*/cwd'
            [ "$3" = tasks ] && G="$G /proc/[0-9]*/task/[0-9]*/root /proc/[0-9]*/task/[0-9]*/cwd"
            while [ ! -e /stop ]; do
              n=$((n+1)); echo $n > /tmp/n
              for r in $G; do
                if [ -e "$r$H/host-only" ]; then
                  echo "HOST $r"
                  echo escaped > "$r$H/marker" && echo "WROTE $r$H/marker"
                fi
                if [ -e "$r/host-only" ]; then
                  echo "HOST $r (the host-only directory as cwd)"
                  echo escaped > "$r/marker" && echo "WROTE $r/marker"
                fi
                if [ -e "$r$J/release" ] && [ ! -e "/tmp/seen-${r#/proc/}" ]; then
                  p=${r#/proc/}; echo "JVM ${p%%/*}"; : > "/tmp/seen-${p%%/*}"
                fi
              done
            done
            echo "done $n"
            """;
    static final List<String> CAPS = List.of("CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_NET_BIND_SERVICE");

    Jrunc jrunc;
    BusyboxBundle bundle;
    Path hostOnly;
    String javaHome;

    @BeforeEach
    void setUp() throws Exception {
        jrunc = Jrunc.jrunc();
        bundle = BusyboxBundle.create(jrunc);
        hostOnly = Files.createTempDirectory("pidns-host-only-").toRealPath();
        Files.writeString(hostOnly.resolve("host-only"), "only on the host\n");
        javaHome = Path.of(System.getProperty("java.home")).toRealPath().toString();
        Files.writeString(bundle.rootfs().resolve("scan.sh"), SCAN);
        ObjectNode caps = bundle.process().putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = caps.putArray(set);
            CAPS.forEach(a::add);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            jrunc.close();
        } finally {
            try (Stream<Path> s = Files.walk(hostOnly)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
            bundle.close();
        }
    }

    @Test
    void runcsExecsNeverShowTheHostsRootOrCwdEither() throws Exception {
        try (Jrunc runc = Jrunc.runc()) {
            String id = scanAndExec(runc);
            String log = stopScan();

            assertThat(log).as("the scan ran").containsPattern("done [1-9]");
            assertThat(log.lines().filter(l -> l.startsWith("HOST") || l.startsWith("WROTE")).toList()).as(log).isEmpty();
            assertThat(hostOnly.resolve("marker")).doesNotExist();
            assertThat(runc.run("delete", "--force", id).code()).isZero();
        }
    }

    @Test
    void execsNeverShowTheHostsRootOrCwdToAContainerThatCanPtrace() throws Exception {
        String id = scanAndExec(jrunc);
        // the shim's path: the library in this JVM, the exec's stdio given as fds
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, null);
        Process t = new Process(false, null, null, List.of("true"), List.of("PATH=/bin"), "/",
                new io.jcontainerd.runtime.spec.Capabilities(CAPS, CAPS, null, CAPS, null), List.of(), true, null, null, null);
        for (int i = 0; i < 10; i++) {
            int devNull = LibC.INSTANCE.open("/dev/null", LinuxConstants.O_RDWR | LinuxConstants.O_CLOEXEC, 0);
            try {
                assertThat(containers.exec(id, t, false, null, null, 0, new StdioFds(devNull, devNull, devNull))).isZero();
            } finally {
                LibC.INSTANCE.close(devNull);
            }
        }
        String log = stopScan();

        assertThat(log.lines().filter(l -> l.startsWith("JVM ")).count()).as("the scan saw the execs' init JVMs\n" + log).isGreaterThanOrEqualTo(5);
        assertThat(log.lines().filter(l -> l.startsWith("HOST") || l.startsWith("WROTE")).toList()).as(log).isEmpty();
        assertThat(hostOnly.resolve("marker")).doesNotExist();
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    /**
     * A create's init JVM boots in the launch jail too. Only each process's root and cwd are looked at:
     * from the plan to pivot_root the thread that sets the container up has a copy of the host's mounts
     * as its root (its mounts need host paths), as runc's init stage has in a joined pid namespace; that
     * window is open (see runtime-oci/README.md, "No host root in the container's pid namespace").
     */
    @Test
    void createsJoiningItsPidNamespaceNeverBootWithTheHostsRoot() throws Exception {
        bundle.args("sh", "/scan.sh", hostOnly.toString(), javaHome, "processes");
        String id = "pidns-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(jrunc.run("run", "-d", "--bundle", bundle.dir.toString(), id).code()).isZero();
        int scanner = BusyboxBundle.JSON.readTree(jrunc.run("state", id).stdout()).get("pid").asInt();
        awaitScanning();
        try (BusyboxBundle joiner = BusyboxBundle.create(jrunc)) {
            joiner.args("true");
            ArrayNode ns = joiner.linux().putArray("namespaces");
            ns.addObject().put("type", "pid").put("path", "/proc/" + scanner + "/ns/pid");
            for (String type : List.of("ipc", "uts", "mount", "network")) ns.addObject().put("type", type);
            joiner.save();
            for (int i = 0; i < 10; i++) {
                String c = id + "-j" + i;
                Jrunc.Result r = jrunc.run("create", "--bundle", joiner.dir.toString(), c);
                assertThat(r.code()).as(r.stderr()).isZero();
                assertThat(jrunc.run("delete", "--force", c).code()).isZero();
            }
        }
        String log = stopScan();

        assertThat(log.lines().filter(l -> l.startsWith("JVM ")).count()).as("the scan saw the creates' init JVMs\n" + log).isGreaterThanOrEqualTo(2);
        assertThat(log.lines().filter(l -> l.startsWith("HOST") || l.startsWith("WROTE")).toList()).as(log).isEmpty();
        assertThat(hostOnly.resolve("marker")).doesNotExist();
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    /**
     * runc 1.1.5 in the open case above, with the window held open: a create joining the scanner's pid
     * namespace whose prestart hook (run by the runtime after the init's mounts, before its pivot_root) waits
     * until the scan has gone over /proc at least 3 more times or found the host. `runc init` (in the
     * scanner's pid namespace, its mount namespace a copy of the host's) is found with the host's root as
     * its process root, and the scanner writes its marker onto the host through it.
     */
    @Test
    void runcsCreateJoiningItsPidNamespaceShowsTheHostsRootUntilPivotRoot() throws Exception {
        try (Jrunc runc = Jrunc.runc()) {
            String id = createJoiningWhileAHookHoldsTheSetup(runc);
            String log = stopScan();
            assertThat(runc.run("delete", "--force", id).code()).isZero();

            assertThat(log.lines().filter(l -> l.startsWith("HOST /proc/")).toList()).as(log).isNotEmpty();
            assertThat(log).as(log).contains("WROTE /proc/");
            assertThat(hostOnly.resolve("marker")).as("runc init's root led the container onto the host").exists();
        }
    }

    /**
     * jrunc with the same window held open: no process's root or cwd is the host's (every thread but the one
     * setting the container up stays in the launch jail; that thread's root is the open case above, so only
     * processes are looked at).
     */
    @Test
    void jruncsCreateJoiningItsPidNamespaceShowsNoProcessTheHostsRootWhileAHookHoldsItsSetup() throws Exception {
        String id = createJoiningWhileAHookHoldsTheSetup(jrunc);
        String log = stopScan();
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();

        assertThat(log.lines().filter(l -> l.startsWith("JVM ")).count()).as("the scan saw the create's init JVM\n" + log).isGreaterThanOrEqualTo(1);
        assertThat(log.lines().filter(l -> l.startsWith("HOST") || l.startsWith("WROTE")).toList()).as(log).isEmpty();
        assertThat(hostOnly.resolve("marker")).doesNotExist();
    }

    /** A scanner (processes only) under {@code runtime}, then one create joining its pid namespace whose prestart hook holds the setup open. */
    private String createJoiningWhileAHookHoldsTheSetup(Jrunc runtime) throws Exception {
        bundle.args("sh", "/scan.sh", hostOnly.toString(), javaHome, "processes");
        String id = "pidns-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result run = runtime.run("run", "-d", "--bundle", bundle.dir.toString(), id);
        assertThat(run.code()).as(run.stderr()).isZero();
        int scanner = BusyboxBundle.JSON.readTree(runtime.run("state", id).stdout()).get("pid").asInt();
        awaitScanning();
        Path tmp = bundle.rootfs().resolve("tmp");
        for (int i = 0; i < 600 && !Files.exists(tmp.resolve("n")); i++) Thread.sleep(50);
        try (BusyboxBundle joiner = BusyboxBundle.create(runtime)) {
            joiner.args("true");
            ArrayNode ns = joiner.linux().putArray("namespaces");
            ns.addObject().put("type", "pid").put("path", "/proc/" + scanner + "/ns/pid");
            for (String type : List.of("ipc", "uts", "mount", "network")) ns.addObject().put("type", type);
            // on the host, run by the runtime while the init waits between its mounts and pivot_root
            String hold = "n0=$(cat " + tmp + "/n); i=0; while [ $i -lt 600 ]; do grep -q '^HOST' " + tmp + "/scan.log && exit 0; "
                    + "[ \"$(cat " + tmp + "/n)\" -ge $((n0+3)) ] && exit 0; sleep 0.05; i=$((i+1)); done; exit 1";
            ObjectNode hook = joiner.config.putObject("hooks").putArray("prestart").addObject();
            hook.put("path", "/bin/sh");
            hook.putArray("args").add("sh").add("-c").add(hold);
            joiner.save();
            String c = id + "-held";
            Jrunc.Result r = runtime.run("create", "--bundle", joiner.dir.toString(), c);
            assertThat(r.code()).as(r.stderr()).isZero();
            assertThat(runtime.run("delete", "--force", c).code()).isZero();
        }
        return id;
    }

    /** Starts the scanning container under {@code runtime}, then runs 50 `exec id true` from the host-only directory. */
    private String scanAndExec(Jrunc runtime) throws Exception {
        bundle.args("sh", "/scan.sh", hostOnly.toString(), javaHome, "tasks");
        String id = "pidns-" + UUID.randomUUID().toString().substring(0, 8);
        Jrunc.Result run = runtime.run("run", "-d", "--bundle", bundle.dir.toString(), id);
        assertThat(run.code()).as(run.stderr()).isZero();
        awaitScanning();
        for (int i = 0; i < 50; i++) {
            // from a directory that only the host has: the exec's init must not keep it as its cwd
            java.lang.Process p = new ProcessBuilder(runtime.binary, "--root", runtime.root.toString(), "exec", id, "true")
                    .directory(hostOnly.toFile()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("exec %d: %s", i, out).isZero();
        }
        return id;
    }

    private void awaitScanning() throws Exception {
        Path log = bundle.rootfs().resolve("tmp/scan.log");
        for (int i = 0; i < 600 && !Files.exists(log); i++) Thread.sleep(50);
        assertThat(log).as("the scan started").exists();
    }

    private String stopScan() throws Exception {
        Files.writeString(bundle.rootfs().resolve("stop"), "");
        Path log = bundle.rootfs().resolve("tmp/scan.log");
        for (int i = 0; i < 1200; i++) {
            String s = Files.readString(log);
            if (s.contains("done ")) return s;
            Thread.sleep(50);
        }
        throw new AssertionError("the scan did not finish: " + Files.readString(log));
    }
}
