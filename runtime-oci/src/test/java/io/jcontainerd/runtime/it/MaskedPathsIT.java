package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * maskedPaths bind only the null device: a /dev/null that is a file the container (or whoever shares it)
 * controls must not be bound over /proc/keys and the other masked files. Debian's runc 1.1.5 binds
 * whatever /dev/null is (asserted first, so that the case is known to matter); jrunc refuses.
 */
class MaskedPathsIT {
    TwoRuntimes runtimes;
    BusyboxBundle bundle;
    Path fake;

    @BeforeEach
    void setUp() throws Exception {
        runtimes = new TwoRuntimes();
        bundle = runtimes.bundle;
        fake = Files.writeString(bundle.dir.resolve("not-null"), "written by the container\n");
        // into a file: runc 1.1.5 re-opens every stdio fd whose st_rdev equals /dev/null's (0 for a regular file, so the
        // files the test reads stdout and stderr from) onto the container's /dev/null, here the file
        bundle.args("sh", "-c", "{ cat /proc/keys; ls -l /dev/null | cut -c1; } > /tmp/seen");
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.close();
    }

    static String id() { return "mask-" + UUID.randomUUID().toString().substring(0, 8); }

    @Test
    void aRegularFileBoundOverDevNullIsRefusedForMasking() throws Exception {
        ObjectNode m = ((ArrayNode) bundle.config.get("mounts")).addObject()
                .put("destination", "/dev/null").put("type", "bind").put("source", fake.toString());
        m.putArray("options").add("bind").add("rw");
        bundle.save();
        assertRefusedWhereRuncMasksWithTheFile("a regular file");
    }

    @Test
    void aRootfsWhoseDevNullIsARegularFileIsRefusedForMasking() throws Exception {
        // no /dev tmpfs: the rootfs's own /dev/null stays (neither runtime replaces an existing node)
        ArrayNode mounts = (ArrayNode) bundle.config.get("mounts");
        for (int i = mounts.size() - 1; i >= 0; i--) if (mounts.get(i).get("destination").asText().equals("/dev")) mounts.remove(i);
        bundle.save();
        Files.copy(fake, bundle.rootfs().resolve("dev/null"));
        assertRefusedWhereRuncMasksWithTheFile("a regular file");
    }

    private void assertRefusedWhereRuncMasksWithTheFile(String what) throws Exception {
        Jrunc.Result runc = runtimes.runc.run("run", "--bundle", bundle.dir.toString(), id());
        assertThat(runc.code()).as("runc: %s", runc.stderr()).isZero();
        assertThat(Files.readString(bundle.rootfs().resolve("tmp/seen"))).as("runc 1.1.5 masks /proc/keys with the file")
                .isEqualTo("written by the container\n-\n");
        Files.delete(bundle.rootfs().resolve("tmp/seen"));

        String id = id();
        Jrunc.Result jrunc = runtimes.jrunc.run("run", "--bundle", bundle.dir.toString(), id);
        assertThat(jrunc.code()).isEqualTo(1);
        assertThat(bundle.rootfs().resolve("tmp/seen")).as("nothing ran").doesNotExist();
        assertThat(jrunc.stderr()).containsPattern("maskedPaths: /dev/null in the container is " + what
                + ", not the null device \\(character device 1:3\\); refusing to mask /proc/[a-z_]+ with it");
        assertThat(runtimes.jrunc.run("state", id).code()).as("nothing of the container is left").isEqualTo(1);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(bundle.dir.toString());
    }
}
