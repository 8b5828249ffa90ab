package io.jcontainerd.supervisor.docker;

import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local volumes through the real docker CLI 28: named volumes kept across containers and
 * filled from the image at first use, anonymous ones removed by rm -v and --rm, --mount of
 * volume/bind/tmpfs, a volume in use refused removal, volume ls/inspect/rm/prune.
 */
class DockerVolumesIT {
    @TempDir
    Path dir;
    DockerFixture d;

    @BeforeEach
    void start() {
        d = new DockerFixture(dir);
        d.pullBusybox();
    }

    @AfterEach
    void stop() {
        d.close();
    }

    private Cli.Result ok(String... args) {
        Cli.Result r = d.docker(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r + "\n" + d.daemon.log()).isZero();
        return r;
    }

    @Test
    void aNamedVolumeKeepsItsDataAcrossContainersAndIsFilledFromTheImageAtFirstUse() throws Exception {
        assertThat(ok("volume", "create", "--label", "team=a", "data1").out()).isEqualTo("data1\n");
        ok("run", "--rm", "-v", "data1:/data", "busybox", "sh", "-c", "echo kept > /data/f");
        assertThat(ok("run", "--rm", "-v", "data1:/data:ro", "busybox", "cat", "/data/f").out()).isEqualTo("kept\n");
        Cli.Result ro = d.docker("run", "--rm", "-v", "data1:/data:ro", "busybox", "sh", "-c", "echo x > /data/g");
        assertThat(ro.exit()).isNotZero();
        assertThat(ro.err()).contains("Read-only file system");

        Path volumes = dir.resolve("root/docker/volumes");
        assertThat(ok("volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Mountpoint}} {{.Labels.team}} {{.Scope}}", "data1").out())
                .isEqualTo("data1 local " + volumes.resolve("data1/_data") + " a local\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(volumes))).isEqualTo("rwx------");
        assertThat(Files.readString(volumes.resolve("data1/_data/f"))).isEqualTo("kept\n");

        // copy-up: -v etcvol:/etc starts with the image's /etc, and the generated hosts file still on top
        Cli.Result etc = ok("run", "--rm", "-v", "etcvol:/etc", "busybox", "sh", "-c", "head -1 /etc/group; grep -q localhost /etc/hosts && echo hosts");
        assertThat(etc.out()).isEqualTo("root:x:0:\nhosts\n");
        assertThat(Files.readString(volumes.resolve("etcvol/_data/group"))).startsWith("root:x:0:");
        assertThat(ok("volume", "ls", "--format", "{{.Driver}} {{.Name}}").out()).isEqualTo("local data1\nlocal etcvol\n");
        assertThat(ok("volume", "ls", "-q", "--filter", "label=team=a").out()).isEqualTo("data1\n");

        ok("run", "-d", "--name", "user", "-v", "data1:/data", "busybox", "sleep", "1000");
        assertThat(ok("inspect", "--format", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}", "user").out())
                .isEqualTo("volume data1 /data true\n");
        Cli.Result inUse = d.docker("volume", "rm", "data1");
        assertThat(inUse.exit()).isEqualTo(1);
        assertThat(inUse.err()).contains("volume is in use");
        ok("rm", "-f", "user");
        assertThat(ok("volume", "rm", "data1").out()).isEqualTo("data1\n");
        assertThat(Files.exists(volumes.resolve("data1"))).isFalse();
        Cli.Result gone = d.docker("volume", "inspect", "data1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("no such volume");
    }

    @Test
    void anonymousVolumesGoWithRmVAndRmAndPruneRemovesTheUnused() {
        ok("run", "-d", "--name", "anon", "-v", "/scratch", "busybox", "sleep", "1000");
        String name = ok("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", "anon").out().strip();
        assertThat(name).matches("[0-9a-f]{64}");
        assertThat(ok("volume", "ls", "-q").out()).isEqualTo(name + "\n");
        ok("rm", "-f", "-v", "anon");
        assertThat(ok("volume", "ls", "-q").out()).isEmpty();

        ok("run", "--rm", "-v", "/scratch", "busybox", "true");
        assertThat(ok("volume", "ls", "-q").out()).as("--rm takes its anonymous volume along").isEmpty();

        ok("run", "--name", "left", "-v", "/scratch", "busybox", "true");
        ok("rm", "left");
        String kept = ok("volume", "ls", "-q").out().strip();
        assertThat(kept).as("rm without -v keeps it").matches("[0-9a-f]{64}");
        ok("volume", "create", "named");
        ok("run", "-d", "--name", "holder", "-v", "named:/n", "busybox", "sleep", "1000");
        Cli.Result prune = ok("volume", "prune", "-f");
        assertThat(prune.out()).contains(kept).doesNotContain("named");
        assertThat(ok("volume", "ls", "-q").out()).isEqualTo("named\n");
    }

    @Test
    void mountsOfVolumesBindsAndTmpfsWork() throws Exception {
        Path host = Files.createDirectory(dir.resolve("hostdir"));
        Files.writeString(host.resolve("in.txt"), "from host\n");
        Cli.Result r = ok("run", "--rm", "--mount", "type=volume,src=m1,dst=/m",
                "--mount", "type=bind,src=" + host + ",dst=/b,readonly",
                "--mount", "type=tmpfs,dst=/t,tmpfs-size=1048576",
                "busybox", "sh", "-c", "echo v > /m/v; cat /b/in.txt; touch /b/x 2>/dev/null || echo ro; grep ' /t ' /proc/mounts | cut -d' ' -f1,3,4");
        assertThat(r.out()).startsWith("from host\nro\ntmpfs tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k");
        assertThat(ok("run", "--rm", "-v", "m1:/m", "busybox", "cat", "/m/v").out()).isEqualTo("v\n");

        Cli.Result missing = d.docker("run", "--rm", "--mount", "type=bind,src=/nonexistent-jcd,dst=/b", "busybox", "true");
        assertThat(missing.exit()).isEqualTo(125);
        assertThat(missing.err()).contains("bind source path does not exist: /nonexistent-jcd");
        Cli.Result dup = d.docker("run", "--rm", "-v", "a1:/x", "-v", "a2:/x", "busybox", "true");
        assertThat(dup.exit()).isEqualTo(125);
        assertThat(dup.err()).contains("Duplicate mount point: /x");
        assertThat(ok("volume", "ls", "-q").out()).as("nothing made for refused requests").isEqualTo("m1\n");
    }
}
