package io.jcontainerd.runtime.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CVE-2019-5736 replayed: processes in the container (its init, and one started by `exec`) watch
 * /proc for anything that is not busybox (jrunc's init stage while `exec` sets up) and try to open
 * its exe, fds and mapped files (the JDK, jrunc's jars) for writing and for reading. Every attempt
 * must fail and the host files must be byte-for-byte unchanged.
 */
class ProcSelfExeAttackIT extends InBusyboxBundle {
    static final String ATTACK = """
            exec > /tmp/$1.log 2>&1
            end=$(( $(date +%s) + 45 ))
            while [ ! -e /stop ] && [ "$(date +%s)" -lt $end ]; do
              for d in /proc/[0-9]*; do
                p=${d#/proc/}
                [ "$p" = "$$" ] && continue
                t=$(readlink $d/exe 2>/dev/null)
                [ "$t" = /bin/busybox ] && continue
                [ -d "$d" ] || continue
                echo "SEEN $p exe=[$t]"
                for f in $d/exe $d/fd/* $d/map_files/*; do
                  [ -e "$f" ] || [ -L "$f" ] || continue
                  # opening a pipe or fifo blocks until its other end shows up: leave those alone
                  case "$(readlink $f 2>/dev/null)" in pipe:*|socket:*|anon_inode:*|*exec.fifo) continue;; esac
                  if timeout 2 sh -c ': >> "$1"' _ "$f" 2>/dev/null; then echo "WRITABLE $f -> $(readlink $f)"; fi
                  if timeout 2 sh -c 'exec 3< "$1"' _ "$f" 2>/dev/null; then echo "OPENED $f -> $(readlink $f)"; fi
                done
              done
            done
            echo done
            """;

    @BeforeEach
    void writeTheAttack() throws Exception {
        Files.writeString(bundle.rootfs().resolve("attack.sh"), ATTACK);
    }

    @Test
    void containerProcessesCannotOpenTheRuntimeJdkOrJarsThroughProc() throws Exception {
        Map<Path, String> before = hashes();
        String id = "cve-" + UUID.randomUUID().toString().substring(0, 8);
        // the init stays alive afterwards: when PID 1 exits the kernel kills the exec'd attacker too
        bundle.args("sh", "-c", "sh /attack.sh init; exec sleep 1000");
        assertThat(jrunc.run("run", "-d", "--bundle", bundle.dir.toString(), id).code()).isZero();
        Jrunc.Result started = jrunc.run("exec", "-d", id, "sh", "/attack.sh", "exec");
        assertThat(started.code()).as(started.stderr()).isZero();
        for (int i = 0; i < 8; i++) {
            Jrunc.Result r = jrunc.run("exec", id, "true");
            assertThat(r.code()).as(r.stderr()).isZero();
        }
        Files.writeString(bundle.rootfs().resolve("stop"), "");
        String init = awaitLog("init"), exec = awaitLog("exec");

        assertThat(init + exec).as("the attackers saw jrunc's init stage (unreadable exe link)").contains("exe=[]");
        // Opens do succeed on busybox processes (the exec'd program after its execve, the attackers' own
        // subshells) and on their stdio; none may resolve to anything of the runtime's.
        List<String> breaches = (init + exec).lines()
                .filter(l -> l.startsWith("WRITABLE") || l.startsWith("OPENED"))
                .filter(l -> l.matches(".*(java|jvm|jdk|\\.jar|jna|jrunc\\.|libjnidispatch|/usr/lib|/work/|/root/).*") && !l.contains("jrunc-root-"))
                .toList();
        assertThat(breaches).isEmpty();
        assertThat(hashes()).isEqualTo(before);
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    @Test
    void evenWithPtraceRightsTheInitStagesJdkAndJarsAreReadOnly() throws Exception {
        bundle.args("true");
        String id = "ro-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(jrunc.run("create", "--bundle", bundle.dir.toString(), id).code()).isZero();
        int pid = BusyboxBundle.JSON.readTree(jrunc.run("state", id).stdout()).get("pid").asInt();
        assertJdkAndJarsReadOnly(pid);
        assertThat(jrunc.run("delete", "--force", id).code()).isZero();
    }

    /** The jars, libraries and AOT cache the init stage {@code pid} has open sit on read-only mounts, even for host root. */
    static void assertJdkAndJarsReadOnly(int pid) throws Exception {
        // this test runs as host root: it may open /proc/<init>/fd/*, yet the files sit on read-only mounts
        List<Path> ours = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.endsWith(".jar") || target.endsWith(".so") || target.endsWith(".aot") || target.endsWith("/modules")) ours.add(fd);
            }
        }
        assertThat(ours).as("the init stage has its jars open").isNotEmpty();
        for (Path fd : ours) {
            assertThatThrownBy(() -> Files.newOutputStream(fd, java.nio.file.StandardOpenOption.APPEND).close())
                    .as(fd + " -> " + Files.readSymbolicLink(fd)).hasMessageContaining("Read-only file system");
        }
        assertThat(Files.readSymbolicLink(ours.getFirst()).toString()).as("no host path is visible").doesNotStartWith(Jrunc.REPO.toString());
    }

    private String awaitLog(String name) throws Exception {
        Path log = bundle.rootfs().resolve("tmp/" + name + ".log");
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(log) && Files.readString(log).contains("done")) return Files.readString(log);
            Thread.sleep(100);
        }
        throw new AssertionError("attacker " + name + " did not finish: " + (Files.exists(log) ? Files.readString(log) : "no log"));
    }

    /** The JDK binary and library, jrunc's jar and JNA (jar and native stub) the init stage runs from. */
    private static Map<Path, String> hashes() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        Path target = Jrunc.REPO.resolve("runtime-oci/target");
        List<Path> files = List.of(javaHome.resolve("bin/java"), javaHome.resolve("lib/server/libjvm.so"),
                target.resolve("jrunc.jar"), target.resolve("native/com/sun/jna/linux-x86-64/libjnidispatch.so"));
        Map<Path, String> out = new LinkedHashMap<>();
        try (var libs = Files.list(target.resolve("lib"))) {
            for (Path p : java.util.stream.Stream.concat(files.stream(), libs).toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (InputStream in = Files.newInputStream(p)) {
                    md.update(in.readAllBytes());
                }
                out.put(p, HexFormat.of().formatHex(md.digest()));
            }
        }
        return out;
    }
}
