package io.jcontainerd.runtime.it;

import io.jcontainerd.runtime.cgroups.V2CgroupManager;
import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.spec.Resources;
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
 * linux.cgroupsPath "/../../../../var/tmp/&lt;name&gt;" stays inside each cgroup hierarchy: on this hybrid host the v1
 * hierarchies and the unified cgroup2 one a container joins, and the v2 driver on that cgroup2 mount.
 */
class CgroupsPathIT {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    final String name = "jrunc-escape-" + UUID.randomUUID().toString().substring(0, 8);
    final String escape = "/../../../../var/tmp/" + name;
    final List<Path> hierarchies = new ArrayList<>();
    TwoRuntimes runtimes;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            String type = halves[1].split(" ")[0];
            if (type.equals("cgroup") || type.equals("cgroup2")) hierarchies.add(Path.of(halves[0].split(" ")[4]));
        }
        if (hierarchies.isEmpty()) throw new IllegalStateException("no cgroup hierarchy is mounted on this host");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            runtimes.close();
        } finally {
            for (Path h : hierarchies) {
                rmdir(h.resolve("var/tmp/" + name + "-r"));
                rmdir(h.resolve("var/tmp/" + name + "-j"));
                rmdir(h.resolve("var/tmp/" + name + "-v2"));
                rmdir(h.resolve("var/tmp"));
                rmdir(h.resolve("var"));
            }
            // what an escaped cgroup would have left on the host (directories with plain files in them)
            for (String suffix : List.of("-r", "-j", "-v2")) {
                Path escaped = Path.of("/var/tmp/" + name + suffix);
                if (!Files.isDirectory(escaped)) continue;
                try (var files = Files.list(escaped)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                }
                rmdir(escaped);
            }
        }
    }

    /** Removes an empty directory (another test's cgroup under var/tmp keeps it). */
    private static void rmdir(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            // not empty or not there: left as it is
        }
    }

    private String create(Jrunc runtime, String suffix) throws Exception {
        runtimes.bundle.linux().put("cgroupsPath", escape + suffix);
        runtimes.bundle.args("sleep", "60");
        runtimes.bundle.save();
        String id = name + suffix;
        Jrunc.Result r = runtime.run("create", "--bundle", runtimes.bundle.dir.toString(), id);
        assertThat(r.code()).as("%s create: %s", runtime.binary, r.stderr()).isZero();
        return id;
    }

    @Test
    void dotDotInCgroupsPathStaysInsideEveryHierarchyUnderBothRuntimes() throws Exception {
        create(runtimes.runc, "-r");
        for (Path h : hierarchies) {
            assertThat(h.resolve("var/tmp/" + name + "-r")).as("runc's cgroup in %s", h).isDirectory();
        }
        assertThat(Path.of("/var/tmp/" + name + "-r")).as("runc leaves the host alone").doesNotExist();

        String id = create(runtimes.jrunc, "-j");
        assertThat(Path.of("/var/tmp/" + name + "-j")).as("nothing outside the cgroup mounts").doesNotExist();
        String pid = runtimes.jrunc.run("state", id).stdout().replaceAll("(?s).*\"pid\":\\s*(\\d+).*", "$1");
        for (Path h : hierarchies) {
            Path dir = h.resolve("var/tmp/" + name + "-j");
            assertThat(dir).as("jrunc's cgroup in %s", h).isDirectory();
            String procs = Files.readString(dir.resolve("cgroup.procs"));
            assertThat(procs.lines().toList()).as("the init in %s", dir).contains(pid);
        }
        assertThat(runtimes.jrunc.run("delete", "--force", id).code()).isZero();
        for (Path h : hierarchies) assertThat(h.resolve("var/tmp/" + name + "-j")).as("removed from %s", h).doesNotExist();
    }

    @Test
    void theV2DriverKeepsTheCleanedPathUnderItsCgroup2Mount() throws Exception {
        Path unified = hierarchies.stream().filter(h -> Files.exists(h.resolve("cgroup.controllers"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("this host has no cgroup2 hierarchy (hybrid or unified) to test the v2 driver on"));
        V2CgroupManager cg = new V2CgroupManager(unified, escape + "-v2", new JnaSyscalls());
        cg.create(Resources.NONE);
        try {
            assertThat(unified.resolve("var/tmp/" + name + "-v2")).isDirectory();
            assertThat(Path.of("/var/tmp/" + name + "-v2")).as("nothing outside %s", unified).doesNotExist();
        } finally {
            cg.destroy();
        }
        assertThat(unified.resolve("var/tmp/" + name + "-v2")).doesNotExist();
    }

    /**
     * Two creates of a new namespace race on its parent cgroup: one makes /&lt;parent&gt; in the v1 cpuset
     * hierarchy and has not yet copied cpus and mems into it when the other creates its child there.
     * The child must still get cpus and mems (an empty cpuset refuses every task: the init failed with
     * "write fd 10: errno 28", ENOSPC, in a full run's parallel ctr runs).
     */
    @Test
    void aChildUnderAParentCpusetAnotherCreateHasNotFilledYetGetsCpusAndMems() throws Exception {
        Path cpuset = hierarchies.stream().filter(h -> Files.exists(h.resolve("cpuset.cpus")) && Files.exists(h.resolve("tasks")))
                .findFirst().orElseThrow(() -> new IllegalStateException("this host has no cgroup v1 cpuset hierarchy"));
        Path parent = cpuset.resolve(name + "-p");
        Files.createDirectory(parent); // made, not filled: what the other create leaves for a moment
        String id = name + "-c";
        try {
            assertThat(Files.readString(parent.resolve("cpuset.cpus")).trim()).as("a new cpuset cgroup starts empty").isEmpty();
            runtimes.bundle.linux().put("cgroupsPath", "/" + name + "-p/" + id);
            runtimes.bundle.args("sleep", "60");
            runtimes.bundle.save();
            Jrunc.Result r = runtimes.jrunc.run("create", "--bundle", runtimes.bundle.dir.toString(), id);
            assertThat(r.code()).as("jrunc create: %s", r.stderr()).isZero();
            assertThat(Files.readString(parent.resolve(id).resolve("cpuset.cpus")).trim()).as("the child's cpus")
                    .isEqualTo(Files.readString(cpuset.resolve("cpuset.cpus")).trim());
        } finally {
            runtimes.jrunc.run("delete", "--force", id);
            for (Path h : hierarchies) {
                rmdir(h.resolve(name + "-p").resolve(id));
                rmdir(h.resolve(name + "-p"));
            }
        }
    }
}
