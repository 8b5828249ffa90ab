package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.runtime.container.Children;
import io.jcontainerd.runtime.container.Containers;
import io.jcontainerd.runtime.container.InitCommand;
import io.jcontainerd.runtime.container.PlanBuilder;
import io.jcontainerd.runtime.container.ProcStat;
import io.jcontainerd.runtime.container.SpareInit;
import io.jcontainerd.runtime.container.StdioFds;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The library embedded as the shim embeds it (this JVM creates containers through {@link Containers})
 * with a {@link SpareInit}: the spare is started before the container's rootfs is mounted (and this
 * host does not propagate mounts into other namespaces), then handed its stdio and the container's
 * mount namespace by the create that fits it.
 */
class SpareInitIT {
    Jrunc jrunc;
    BusyboxBundle bundle;
    Path image;
    SpareInit spare;
    final List<Integer> fds = new ArrayList<>();
    boolean mounted;

    @BeforeEach
    void setUp() throws Exception {
        jrunc = Jrunc.jrunc();
        bundle = BusyboxBundle.create(jrunc);
        // the image lives beside the bundle and is bind-mounted onto an empty rootfs only after the spare started,
        // the way the shim mounts the snapshot onto the bundle's rootfs before it creates the container
        image = bundle.dir.resolve("image");
        Files.move(bundle.rootfs(), image);
        Files.createDirectory(bundle.rootfs());
        Files.writeString(image.resolve("marker"), "mounted after the spare started\n");
        spare = Containers.spareInit(Children.own(), InitCommand::current);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            spare.close(); // the spare and any follower
            fds.forEach(LibC.INSTANCE::close);
            jrunc.close();
            if (mounted) LibC.INSTANCE.umount2(bundle.rootfs().toString(), LinuxConstants.MNT_DETACH);
        } finally {
            bundle.close();
        }
    }

    @Test
    void aCreateThatFitsTakesTheSpareWhichSeesTheRootfsMountedSinceAndWritesToTheGivenStdio() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        assertBootsInTheLaunchJail(sparePid);
        mountImage();
        Path out = bundle.dir.resolve("out"), err = bundle.dir.resolve("err");
        bundle.args("sh", "-c", "cat /marker; hostname; echo to-stderr >&2; exit 3");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        String id = newId();

        int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open(out.toString(), LinuxConstants.O_WRONLY | 0100),
                        open(err.toString(), LinuxConstants.O_WRONLY | 0100)));

        assertThat(pid).as("the create took the spare").isEqualTo(sparePid);
        assertThat(spare.pid()).isEmpty();
        assertThat(jrunc.run("state", id).stdout()).contains("\"status\": \"created\"");
        // the whole process in its cgroup of the unified hierarchy once create returns (moved there beside its set-up;
        // in the v1 hierarchies only its exec thread is, through their tasks files)
        assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))).as("/proc/%d/cgroup", pid).contains("0::/" + id);
        ProcSelfExeAttackIT.assertJdkAndJarsReadOnly(pid);
        containers.start(id);
        assertThat(containers.waitExit(pid)).isEqualTo(3);
        assertThat(Files.readString(out)).isEqualTo("mounted after the spare started\njrunc-it\n");
        assertThat(Files.readString(err)).isEqualTo("to-stderr\n");
        containers.delete(id, false);
        assertThat(jrunc.run("list").stdout()).doesNotContain(id);
    }

    @Test
    void aSpareGivenACgroupNamespaceEntersItOnlyOnceItsWholeProcessIsInTheContainersCgroups() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        mountImage();
        namespaces("pid", "ipc", "uts", "mount", "network", "cgroup");
        Path out = bundle.dir.resolve("out");
        bundle.args("cat", "/proc/self/cgroup");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        String id = newId();

        int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open(out.toString(), LinuxConstants.O_WRONLY | 0100),
                        open("/dev/null", LinuxConstants.O_WRONLY)));

        assertThat(pid).as("the create took the spare").isEqualTo(sparePid);
        containers.start(id);
        assertThat(containers.waitExit(pid)).isZero();
        // the namespace's root is the container's cgroup in every hierarchy: also in a hybrid host's unified one, into
        // which the runtime moves the whole process (after the init joined the others, before it enters the namespace)
        assertThat(Files.readAllLines(out)).as("/proc/self/cgroup in the container").isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(":/"));
        containers.delete(id, false);
    }

    @Test
    void aCreateThatDoesNotFitStartsAFreshInitAndTheSpareKeepsWaitingUntilDiscarded() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        mountImage();
        ArrayNode namespaces = bundle.linux().putArray("namespaces");
        for (String type : List.of("ipc", "uts", "network", "mount")) namespaces.addObject().put("type", type); // the host's pid namespace
        bundle.save();
        bundle.args("true");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        String id = newId();

        int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open("/dev/null", LinuxConstants.O_WRONLY), open("/dev/null", LinuxConstants.O_WRONLY)));

        assertThat(pid).isNotEqualTo(sparePid);
        assertThat(spare.pid()).contains(sparePid);
        containers.start(id);
        assertThat(containers.waitExit(pid)).isZero();
        containers.delete(id, false);
        spare.discard();
        assertThat(spare.pid()).isEmpty();
        assertThat(Path.of("/proc/" + sparePid)).as("the discarded spare is gone and reaped").doesNotExist();
    }

    @Test
    void aHostNetworkCreateTakesTheSpareWhichMovesIntoThisProcesssNetworkNamespaceAndLeavesTheOneItWasBornIn() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        String born = link("/proc/" + sparePid + "/ns/net");
        String host = link("/proc/thread-self/ns/net");
        assertThat(born).as("the spare is born in a network namespace of its own").isNotEqualTo(host);
        mountImage();
        namespaces("pid", "ipc", "uts", "mount"); // the host's network, as docker run --network host and hostNetwork pods
        servedInTheNetworkNamespace(sparePid, born, host);
    }

    @Test
    void aHostNetworkPodsPauseTakesTheSpareWhichMovesIntoThisProcesssNetworkAndUtsNamespaces() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        String born = link("/proc/" + sparePid + "/ns/net");
        String bornUts = link("/proc/" + sparePid + "/ns/uts");
        mountImage();
        namespaces("pid", "ipc", "mount"); // the CRI's pause of a hostNetwork pod: the host's network and uts namespaces
        bundle.config.remove("hostname");
        bundle.save();
        servedInTheNetworkNamespace(sparePid, born, link("/proc/thread-self/ns/net"));
        assertThat(holders(bornUts, "uts")).as("tasks and fds in the uts namespace the spare was born in").isEmpty();
    }

    @Test
    void aCreateJoiningANetworkNamespaceByPathTakesTheSpareWhichMovesIntoIt() throws Exception {
        String name = "jrunc-spare-" + UUID.randomUUID().toString().substring(0, 8);
        ip("netns", "add", name);
        try {
            spare.prepare();
            int sparePid = spare.pid().orElseThrow();
            String born = link("/proc/" + sparePid + "/ns/net");
            mountImage();
            namespaces("pid", "ipc", "uts", "mount");
            ((ArrayNode) bundle.linux().get("namespaces")).addObject().put("type", "network").put("path", "/run/netns/" + name);
            bundle.save();
            servedInTheNetworkNamespace(sparePid, born, "net:[" + Files.getAttribute(Path.of("/run/netns/" + name), "unix:ino") + "]");
        } finally {
            ip("netns", "del", name);
        }
    }

    @Test
    void aNetworkNamespacePathThatIsNoNetworkNamespaceFailsTheCreateAndLeavesTheSpareWaiting() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        mountImage();
        Path regular = Files.writeString(bundle.dir.resolve("not-a-netns"), "x");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        Map<String, String> refusals = Map.of(
                regular.toString(), regular + " is not a network namespace",
                "/proc/self/ns/ipc", "/proc/self/ns/ipc is not a network namespace",
                bundle.dir.resolve("missing").toString(), "open " + bundle.dir.resolve("missing") + ": no such file or directory");
        for (var refusal : refusals.entrySet()) {
            String path = refusal.getKey();
            namespaces("pid", "ipc", "uts", "mount");
            ((ArrayNode) bundle.linux().get("namespaces")).addObject().put("type", "network").put("path", path);
            bundle.save();
            bundle.args("true");
            String id = newId();

            assertThatThrownBy(() -> containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, devNulls()))
                    .as(path).hasMessageContaining(refusal.getValue());

            assertThat(spare.pid()).as("the spare was not handed %s", path).contains(sparePid);
            assertThat(jrunc.run("list").stdout()).doesNotContain(id);
        }
    }

    @Test
    void aSpareThatDiedIsReplacedByAFreshInit() throws Exception {
        spare.prepare();
        int sparePid = spare.pid().orElseThrow();
        LibC.INSTANCE.kill(sparePid, LinuxConstants.SIGKILL);
        mountImage();
        bundle.args("true");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        String id = newId();
        awaitDead(sparePid);

        int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open("/dev/null", LinuxConstants.O_WRONLY), open("/dev/null", LinuxConstants.O_WRONLY)));

        assertThat(pid).isNotEqualTo(sparePid);
        assertThat(Path.of("/proc/" + sparePid)).as("the dead spare was reaped").doesNotExist();
        containers.start(id);
        assertThat(containers.waitExit(pid)).isZero();
        containers.delete(id, false);
    }

    @Test
    void aPodsFirstContainerTakesTheFollowerBornInTheSandboxsNamespacesWhenTheSandboxWasCreated() throws Exception {
        mountImage();
        try (BusyboxBundle pod = BusyboxBundle.create(jrunc)) {
            sandboxSpec(pod, "sleep", "1000");
            Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
            String sandbox = newId();
            int sandboxPid = containers.create(sandbox, pod.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, devNulls());
            int followerPid = spare.followerPid(sandbox).orElseThrow();
            for (String ns : List.of("pid", "ipc", "uts")) {
                assertThat(nsOf(followerPid, ns)).as("the follower's %s namespace is the sandbox's", ns).isEqualTo(nsOf(sandboxPid, ns));
            }
            containers.start(sandbox);
            ArrayNode namespaces = bundle.linux().putArray("namespaces");
            for (String type : List.of("pid", "ipc", "uts")) {
                namespaces.addObject().put("type", type).put("path", "/proc/" + sandboxPid + "/ns/" + type);
            }
            namespaces.addObject().put("type", "mount");
            bundle.config.remove("hostname"); // the sandbox's uts namespace is joined, its hostname kept
            bundle.args("sh", "-c", "cat /marker; test \"$(hostname)\" = pod-host");
            bundle.save();
            Path out = bundle.dir.resolve("out");
            String id = newId();

            int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                    new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open(out.toString(), LinuxConstants.O_WRONLY | 0100),
                            open("/dev/null", LinuxConstants.O_WRONLY)));

            assertThat(pid).as("the pod's container took the follower").isEqualTo(followerPid);
            assertThat(spare.followerPid(sandbox)).as("a follower serves one container").isEmpty();
            containers.start(id);
            assertThat(containers.waitExit(pid)).as("it ran in the sandbox's uts namespace").isZero();
            assertThat(Files.readString(out)).isEqualTo("mounted after the spare started\n");
            containers.delete(id, false);
            containers.kill(sandbox, LinuxConstants.SIGKILL, false);
            containers.waitExit(sandboxPid);
            containers.delete(sandbox, false);
        }
    }

    @Test
    void aPodSandboxJoiningItsPinnedNetworkNamespaceTakesTheSpareAndItsFollowerIsBornInThatNamespace() throws Exception {
        String name = "jrunc-spare-" + UUID.randomUUID().toString().substring(0, 8);
        ip("netns", "add", name);
        try (BusyboxBundle pod = BusyboxBundle.create(jrunc)) {
            spare.prepare();
            int sparePid = spare.pid().orElseThrow();
            sandboxSpec(pod, "sleep", "1000");
            ((ArrayNode) pod.linux().get("namespaces")).addObject().put("type", "network").put("path", "/run/netns/" + name);
            pod.save();
            String pinned = "net:[" + Files.getAttribute(Path.of("/run/netns/" + name), "unix:ino") + "]";
            Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
            String sandbox = newId();

            int sandboxPid = containers.create(sandbox, pod.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, devNulls());

            assertThat(sandboxPid).as("the pause took the spare").isEqualTo(sparePid);
            assertThat(link("/proc/" + sandboxPid + "/ns/net")).isEqualTo(pinned);
            int followerPid = spare.followerPid(sandbox).orElseThrow();
            assertThat(link("/proc/" + followerPid + "/ns/net")).as("the follower's network namespace").isEqualTo(pinned);
            for (String ns : List.of("pid", "ipc", "uts")) {
                assertThat(nsOf(followerPid, ns)).as("the follower's %s namespace is the sandbox's", ns).isEqualTo(nsOf(sandboxPid, ns));
            }
            containers.delete(sandbox, true);
            awaitDead(followerPid);
            awaitDead(sandboxPid);
        } finally {
            ip("netns", "del", name);
        }
    }

    @Test
    void aSandboxDeletedBeforeAnyContainerEndsItsFollower() throws Exception {
        try (BusyboxBundle pod = BusyboxBundle.create(jrunc)) {
            sandboxSpec(pod, "sleep", "1000");
            Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
            String sandbox = newId();
            int sandboxPid = containers.create(sandbox, pod.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, devNulls());
            int followerPid = spare.followerPid(sandbox).orElseThrow();

            containers.delete(sandbox, true);

            assertThat(spare.followerPid(sandbox)).isEmpty();
            awaitDead(followerPid);
            awaitDead(sandboxPid);
            assertThat(Path.of("/proc/" + followerPid)).as("the follower is gone and reaped").doesNotExist();
        }
    }

    @Test
    void aSandboxWhoseCreateFailsAfterItsFollowerJoinedItsPidNamespaceFailsPromptlyAndLeavesNoProcess() throws Exception {
        try (BusyboxBundle pod = BusyboxBundle.create(jrunc)) {
            // a createRuntime hook (run while create waits for the init) that fails once a second process, the
            // follower, is in the sandbox's pid namespace: the init, that namespace's PID 1, cannot finish dying
            // before the follower, a child of this process, is reaped
            Path seen = pod.dir.resolve("hook-saw");
            String script = "pid=$(sed -n 's/.*\"pid\" *: *\\([0-9][0-9]*\\).*/\\1/p' | head -n 1)\n"
                    + "ns=$(readlink /proc/$pid/ns/pid); i=0\n"
                    + "while [ $i -lt 3000 ]; do n=0\n"
                    + "  for p in /proc/[0-9]*; do [ \"$(readlink $p/ns/pid 2>/dev/null)\" = \"$ns\" ] && n=$((n+1)); done\n"
                    + "  if [ $n -ge 2 ]; then echo \"$ns\" > " + seen + "; exit 1; fi\n"
                    + "  i=$((i+1)); sleep 0.01\n"
                    + "done\n"
                    + "echo none > " + seen + "; exit 1\n";
            ObjectNode hook = pod.config.putObject("hooks").putArray("createRuntime").addObject();
            hook.put("path", "/bin/sh");
            hook.putArray("args").add("sh").add("-c").add(script);
            sandboxSpec(pod, "sleep", "1000");
            Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
            String sandbox = newId();
            StdioFds stdio = devNulls();

            CompletableFuture<Integer> create = CompletableFuture.supplyAsync(() ->
                    containers.create(sandbox, pod.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null, stdio));

            assertThatThrownBy(() -> create.get(60, TimeUnit.SECONDS)).as("create fails within 60 s, not hangs")
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("createRuntime");
            String ns = Files.readString(seen).strip();
            assertThat(ns).as("the hook saw the follower in the sandbox's pid namespace").startsWith("pid:[");
            assertThat(spare.followerPid(sandbox)).isEmpty();
            try (var procs = Files.list(Path.of("/proc"))) {
                assertThat(procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).filter(p -> ns.equals(linkOrNull(p + "/ns/pid"))))
                        .as("no process is left in the sandbox's pid namespace").isEmpty();
            }
            assertThat(jrunc.run("list").stdout()).doesNotContain(sandbox);
        }
    }

    /**
     * Creates the bundle's container (which prints its network namespace and sleeps) and checks it took the
     * spare, which moved into {@code target}: its pid (what hooks read) and its exec thread before start, the
     * container's process after, an exec before and after start; and that no task or fd holds {@code born} once it runs.
     */
    private void servedInTheNetworkNamespace(int sparePid, String born, String target) throws Exception {
        Path out = bundle.dir.resolve("out");
        bundle.args("sh", "-c", "readlink /proc/self/ns/net; exec sleep 1000");
        Containers containers = new Containers(jrunc.root, Children.own(), InitCommand::current, spare);
        String id = newId();

        int pid = containers.create(id, bundle.dir, new PlanBuilder.CreateOptions(null, null, 0, false), null,
                new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open(out.toString(), LinuxConstants.O_WRONLY | 0100),
                        open("/dev/null", LinuxConstants.O_WRONLY)));

        assertThat(pid).as("the create took the spare").isEqualTo(sparePid);
        assertThat(link("/proc/" + pid + "/ns/net")).as("/proc/<pid>/ns/net of the created container's init").isEqualTo(target);
        String mnt = link("/proc/" + pid + "/ns/mnt");
        List<Path> execThreads = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) if (!link(task + "/ns/mnt").equals(mnt)) execThreads.add(task);
        }
        assertThat(execThreads).as("one thread is in the container's mount namespace").hasSize(1);
        assertThat(link(execThreads.getFirst() + "/ns/net")).as("the thread that execs the container's program").isEqualTo(target);
        for (String type : List.of("uts", "ipc")) {
            String host = link("/proc/thread-self/ns/" + type);
            if (namespaceAsked(type)) assertThat(link("/proc/" + pid + "/ns/" + type)).as("new %s namespace of the init", type).isNotEqualTo(host);
            else assertThat(link("/proc/" + pid + "/ns/" + type)).as("the host's %s namespace for the init", type).isEqualTo(host);
            assertThat(link(execThreads.getFirst() + "/ns/" + type)).as("%s namespace of the exec thread", type).isEqualTo(link("/proc/" + pid + "/ns/" + type));
        }
        assertThat(jrunc.run("exec", id, "readlink", "/proc/self/ns/net").stdout()).as("an exec before start").isEqualTo(target + "\n");
        containers.start(id);
        long until = System.nanoTime() + 30_000_000_000L;
        while (Files.readString(out).isEmpty() && System.nanoTime() < until) Thread.sleep(10);
        assertThat(Files.readString(out)).as("the container's process").isEqualTo(target + "\n");
        assertThat(holders(born, "net")).as("tasks and fds in the network namespace the spare was born in").isEmpty();
        assertThat(jrunc.run("exec", id, "readlink", "/proc/self/ns/net").stdout()).as("an exec after start").isEqualTo(target + "\n");
        containers.kill(id, LinuxConstants.SIGKILL, false);
        containers.waitExit(pid);
        containers.delete(id, false);
    }

    /** Whether the bundle's spec asks for a new namespace of {@code type}. */
    private boolean namespaceAsked(String type) {
        for (var ns : bundle.linux().get("namespaces")) if (ns.get("type").asText().equals(type) && !ns.has("path")) return true;
        return false;
    }

    /** Every task whose {@code type} namespace is {@code ns} ("net:[ino]") and every fd open on it, on this host. */
    private static List<String> holders(String ns, String type) throws Exception {
        List<String> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                for (String dir : List.of("task", "fd")) {
                    try (var entries = Files.list(proc.resolve(dir))) {
                        for (Path e : entries.toList()) {
                            String l = dir.equals("task") ? linkOrNull(e + "/ns/" + type) : linkOrNull(e.toString());
                            if (ns.equals(l)) found.add(e.toString());
                        }
                    } catch (java.io.IOException | java.io.UncheckedIOException gone) {
                        // exited meanwhile, or not ours to read
                    }
                }
            }
        }
        return found;
    }

    private void namespaces(String... types) throws Exception {
        ArrayNode namespaces = bundle.linux().putArray("namespaces");
        for (String type : types) namespaces.addObject().put("type", type);
        bundle.save();
    }

    private static String link(String path) throws Exception {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    private static String linkOrNull(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", cmd, output).isZero();
    }

    /** A pod sandbox as the CRI makes it: the CRI's annotation, its own pid, ipc and uts namespaces (the host's network), a hostname. */
    private static void sandboxSpec(BusyboxBundle pod, String... args) throws Exception {
        pod.config.putObject("annotations").put("io.kubernetes.cri.container-type", "sandbox");
        pod.config.put("hostname", "pod-host");
        ArrayNode namespaces = pod.linux().putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) namespaces.addObject().put("type", type);
        pod.args(args);
        pod.save();
    }

    private StdioFds devNulls() {
        return new StdioFds(open("/dev/null", LinuxConstants.O_RDONLY), open("/dev/null", LinuxConstants.O_WRONLY),
                open("/dev/null", LinuxConstants.O_WRONLY));
    }

    private static Object nsOf(int pid, String type) throws Exception {
        return Files.getAttribute(Path.of("/proc/" + pid + "/ns/" + type), "unix:ino");
    }

    /** Its root and cwd (and its threads') are the launch jail: the JDK is there, no host directory such as the bundle is. */
    private void assertBootsInTheLaunchJail(int pid) throws Exception {
        String jdk = Path.of(System.getProperty("java.home")).toRealPath().toString();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                for (String link : List.of("root", "cwd")) {
                    assertThat(Path.of(task + "/" + link + jdk + "/release")).as("%s/%s shows the JDK", task, link).exists();
                    assertThat(Path.of(task + "/" + link + bundle.dir)).as("%s/%s shows no host directory", task, link).doesNotExist();
                }
            }
        }
    }

    private void mountImage() {
        assertThat(LibC.INSTANCE.mount(image.toString(), bundle.rootfs().toString(), "", 4096 /* MS_BIND */, null)).isZero();
        mounted = true;
    }

    private int open(String path, int flags) {
        int fd = LibC.INSTANCE.open(path, flags | LinuxConstants.O_CLOEXEC, 0644);
        assertThat(fd).as(path).isGreaterThanOrEqualTo(0);
        fds.add(fd);
        return fd;
    }

    private String newId() {
        String id = "spare-" + UUID.randomUUID().toString().substring(0, 8);
        jrunc.created.add(id);
        return id;
    }

    /**
     * Until SIGKILL has taken every thread of {@code pid} (what {@link ProcStat#alive} checks, and what
     * the spare's taker sees): its group leader turns zombie while the JVM's other threads are still
     * exiting and its socket still open, and a create in that instant handed its plan to a dying spare
     * ("sync socket write failed": 1 failure in a full run after the wait stopped at the leader).
     */
    private static void awaitDead(int pid) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (ProcStat.alive(pid, 0)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("pid " + pid + " still has a live thread 10 s after SIGKILL");
            }
            Thread.sleep(10);
        }
    }
}
