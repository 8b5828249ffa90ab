package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runtime.md's operations (state, create, start, kill, delete; pause and resume as runc has them) and
 * their error cases, on one bundle under Debian's runc 1.1.5 and under jrunc. Every step asserts first
 * what runc does (its exit status, and its output where the spec says what it holds), then that jrunc
 * does the same. Messages differ on purpose (jrunc's say what to do), so errors are compared by exit
 * status and by a non-empty stderr; each runtime has its own container id (cgroups are named after it).
 */
class LifecycleComparisonIT {
    TwoRuntimes runtimes;
    String tag;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        runtimes.bundle.args("sleep", "1000");
        runtimes.bundle.config.putObject("annotations").put("org.example.key", "value").put("org.example.other", "");
        runtimes.bundle.save();
        tag = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    /** One runtime and the id of its container. */
    record Side(String name, Jrunc rt, String id) {}

    List<Side> sides(String name) {
        return List.of(new Side("runc", runtimes.runc, "lc-" + tag + "-" + name + "-r"), new Side("jrunc", runtimes.jrunc, "lc-" + tag + "-" + name + "-j"));
    }

    /**
     * Runs args under both (each "ID" replaced by that side's id): runc must exit with expected, jrunc likewise;
     * a failure must say why on stderr, a success may print nothing there.
     */
    static List<Jrunc.Result> both(List<Side> sides, int expected, String... args) throws Exception {
        List<Jrunc.Result> results = new ArrayList<>();
        for (Side s : sides) {
            String[] a = args.clone();
            for (int i = 0; i < a.length; i++) if (a[i].equals("ID")) a[i] = s.id();
            Jrunc.Result r = s.rt().run(a);
            String what = s.name() + " " + String.join(" ", a);
            assertThat(r.code()).as("exit status of %s (stderr %s)", what, r.stderr()).isEqualTo(expected);
            if (expected != 0) assertThat(r.stderr()).as("stderr of %s", what).isNotBlank();
            results.add(r);
        }
        return results;
    }

    private List<Jrunc.Result> create(List<Side> sides, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("create", "--bundle", runtimes.bundle.dir.toString()));
        a.addAll(List.of(extra));
        a.add("ID");
        return both(sides, 0, a.toArray(String[]::new));
    }

    private static JsonNode state(Side s) throws Exception {
        Jrunc.Result r = s.rt().run("state", s.id());
        assertThat(r.code()).as("%s state %s: %s", s.name(), s.id(), r.stderr()).isZero();
        return BusyboxBundle.JSON.readTree(r.stdout());
    }

    /** Waits (bounded) until both containers report status. */
    private static void awaitStatus(List<Side> sides, String status) throws Exception {
        for (Side s : sides) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!state(s).get("status").asText().equals(status)) {
                if (System.nanoTime() > deadline) throw new AssertionError(s.name() + " " + s.id() + " did not become " + status + ": " + state(s));
                Thread.sleep(20);
            }
        }
    }

    @Test
    void createWithAnIdInUseFailsAndLeavesTheFirstContainerAlone() throws Exception {
        var sides = sides("dup");
        create(sides);
        both(sides, 1, "create", "--bundle", runtimes.bundle.dir.toString(), "ID");
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("created");
        both(sides, 1, "create", "--bundle", runtimes.bundle.dir.toString(), "bad/id");
        both(sides, 1, "create", "--bundle", runtimes.bundle.dir.resolve("no-such-bundle").toString(), "ID-other");
    }

    @Test
    void startStartsOnlyACreatedContainer() throws Exception {
        var sides = sides("start");
        both(sides, 1, "start", "ID");                    // does not exist
        create(sides);
        both(sides, 0, "start", "ID");
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("running");
        both(sides, 1, "start", "ID");                    // started twice
        both(sides, 0, "pause", "ID");
        both(sides, 1, "start", "ID");                    // paused
        both(sides, 0, "resume", "ID");
        both(sides, 0, "kill", "ID", "KILL");
        awaitStatus(sides, "stopped");
        both(sides, 1, "start", "ID");                    // stopped
    }

    @Test
    void killSignalsACreatedOrRunningContainerAndFailsOnAStoppedOne() throws Exception {
        var sides = sides("kill");
        both(sides, 1, "kill", "ID", "KILL");             // does not exist
        create(sides);
        both(sides, 0, "kill", "ID", "0");                // signal 0: the init exists
        both(sides, 1, "kill", "ID", "NOSUCH");
        both(sides, 1, "kill", "ID", "99");
        both(sides, 0, "kill", "ID", "cont");             // lower case, no SIG prefix
        both(sides, 0, "kill", "ID", "SIGCONT");
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("created");
        both(sides, 0, "kill", "ID");                     // SIGTERM by default: ends a created container's init (runc's and jrunc's)
        awaitStatus(sides, "stopped");
        both(sides, 1, "kill", "ID", "KILL");             // stopped
        both(sides, 1, "kill", "ID", "0");
    }

    @Test
    void deleteRemovesCreatedAndStoppedContainersAndRunningOrPausedOnesOnlyWithForce() throws Exception {
        var sides = sides("del");
        both(sides, 1, "delete", "ID");                   // does not exist
        both(sides, 0, "delete", "--force", "ID");        // --force: nothing to do is no error
        create(sides);
        both(sides, 0, "delete", "ID");                   // created: killed and removed
        both(sides, 1, "state", "ID");
        create(sides);
        both(sides, 0, "start", "ID");
        both(sides, 1, "delete", "ID");                   // running
        both(sides, 0, "pause", "ID");
        both(sides, 1, "delete", "ID");                   // paused
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("paused");
        both(sides, 0, "delete", "--force", "ID");
        both(sides, 1, "state", "ID");
        create(sides);
        both(sides, 0, "start", "ID");
        both(sides, 0, "kill", "ID", "KILL");
        awaitStatus(sides, "stopped");
        both(sides, 0, "delete", "ID");                   // stopped
        both(sides, 1, "delete", "ID");
    }

    @Test
    void pauseFreezesACreatedOrRunningContainerAndResumeGivesItsStatusBack() throws Exception {
        var sides = sides("pause");
        both(sides, 1, "pause", "ID");
        create(sides);
        both(sides, 1, "resume", "ID");                   // created, not paused
        both(sides, 0, "pause", "ID");                    // runc pauses a created container
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("paused");
        both(sides, 1, "pause", "ID");                    // paused twice
        both(sides, 0, "resume", "ID");
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("created");
        both(sides, 0, "start", "ID");
        both(sides, 0, "pause", "ID");
        both(sides, 0, "resume", "ID");
        for (Side s : sides) assertThat(state(s).get("status").asText()).as(s.name()).isEqualTo("running");
        both(sides, 0, "kill", "ID", "KILL");
        awaitStatus(sides, "stopped");
        both(sides, 1, "pause", "ID");
        both(sides, 1, "resume", "ID");
    }

    @Test
    void stateShowsEveryFieldInEveryStatusAndThePidFileHoldsThePid() throws Exception {
        var sides = sides("state");
        Path[] pidFiles = {runtimes.bundle.dir.resolve("runc.pid"), runtimes.bundle.dir.resolve("jrunc.pid")};
        for (int i = 0; i < 2; i++) both(List.of(sides.get(i)), 0, "create", "--bundle", runtimes.bundle.dir.toString(), "--pid-file", pidFiles[i].toString(), "ID");
        for (int i = 0; i < 2; i++) {
            assertThat(Files.readString(pidFiles[i])).as("%s's pid file: the pid, no newline", sides.get(i).name())
                    .matches("[1-9][0-9]*").isEqualTo(state(sides.get(i)).get("pid").asText());
        }
        compareStates(sides, "created");
        both(sides, 0, "start", "ID");
        compareStates(sides, "running");
        both(sides, 0, "pause", "ID");
        compareStates(sides, "paused");
        both(sides, 0, "resume", "ID");
        both(sides, 0, "kill", "ID", "KILL");
        awaitStatus(sides, "stopped");
        compareStates(sides, "stopped");
        for (Side s : sides) {
            Jrunc.Result list = s.rt().run("list", "-q");
            assertThat(list.code()).isZero();
            assertThat(list.stdout()).as("%s list -q", s.name()).isEqualTo(s.id() + "\n");
        }
    }

    private void compareStates(List<Side> sides, String status) throws Exception {
        JsonNode runc = state(sides.get(0)), jrunc = state(sides.get(1));
        List<String> runcFields = new ArrayList<>(), jruncFields = new ArrayList<>();
        runc.fieldNames().forEachRemaining(runcFields::add);
        jrunc.fieldNames().forEachRemaining(jruncFields::add);
        assertThat(runcFields).as("runc's state fields").containsExactlyInAnyOrder("ociVersion", "id", "pid", "status", "bundle",
                "rootfs", "created", "annotations", "owner");
        assertThat(jruncFields).as("jrunc's state fields when %s", status).containsExactlyInAnyOrderElementsOf(runcFields);
        for (String f : List.of("ociVersion", "status", "bundle", "rootfs", "annotations", "owner")) {
            assertThat(jrunc.get(f)).as("%s when %s", f, status).isEqualTo(runc.get(f));
        }
        assertThat(runc.get("status").asText()).isEqualTo(status);
        assertThat(runc.get("annotations").get("org.example.key").asText()).isEqualTo("value");
        for (int i = 0; i < 2; i++) {
            JsonNode st = i == 0 ? runc : jrunc;
            Side s = sides.get(i);
            assertThat(st.get("id").asText()).isEqualTo(s.id());
            Instant.parse(st.get("created").asText());
            if (status.equals("stopped")) {
                assertThat(st.get("pid").asLong()).as("%s's pid when stopped", s.name()).isZero();
            } else {
                assertThat(Path.of("/proc/" + st.get("pid").asLong())).as("%s's init pid when %s", s.name(), status).exists();
            }
        }
    }

    @Test
    void everyOperationWithoutAnIdFails() throws Exception {
        var sides = sides("noid");
        for (String op : List.of("state", "start", "kill", "delete", "pause", "resume")) both(sides, 1, op);
        both(sides, 1, "create", "--bundle", runtimes.bundle.dir.toString());
    }

    @Test
    void changesToConfigJsonAfterCreateDoNotAffectTheContainer() throws Exception {
        var sides = sides("cfg");
        Path out = runtimes.bundle.rootfs().resolve("tmp/which");
        runtimes.bundle.args("sh", "-c", "echo created-with >> /tmp/which");
        create(sides);
        runtimes.bundle.args("sh", "-c", "echo changed-after >> /tmp/which");
        both(sides, 0, "start", "ID");
        awaitStatus(sides, "stopped");
        assertThat(Files.readString(out)).isEqualTo("created-with\ncreated-with\n");
    }
}
