package io.jcontainerd.testsupport;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.proto.conformance.RealContainerd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's containerd 1.6 ({@link RealContainerd}: private socket, root and state under a temp
 * dir, CRI disabled), driven with Debian's ctr: the reference to compare our pulls and unpacked
 * trees with. It pulls from a {@link TestRegistry} through its hosts dir, as a user with a
 * docker.io mirror would. Needs root; fails with the reason otherwise.
 */
public final class ReferenceContainerd implements AutoCloseable {

    private final RealContainerd containerd;

    private ReferenceContainerd(RealContainerd containerd) {
        this.containerd = containerd;
    }

    public static ReferenceContainerd start() {
        FixtureScripts.requireTool("containerd", "containerd");
        FixtureScripts.requireTool("ctr", "containerd");
        try {
            return new ReferenceContainerd(RealContainerd.start());
        } catch (IllegalStateException e) {
            throw JcdException.unavailable("%s", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start containerd", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while starting containerd");
        }
    }

    public Path socket() {
        return containerd.socket();
    }

    /** Runs {@code ctr -a <socket> <args>} and returns its stdout; fails with its stderr. */
    public String ctr(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-a", socket().toString()));
        command.addAll(List.of(args));
        return FixtureScripts.runCommand(command, Map.of(), Duration.ofMinutes(5));
    }

    /** Pulls (and unpacks for overlayfs) {@code docker.io/library/<nameAndTag>} from the registry via its hosts dir. */
    public void pull(TestRegistry registry, String nameAndTag) {
        ctr("images", "pull", "--hosts-dir", registry.hostsDir().toString(), TestRegistry.dockerHubReference(nameAndTag));
    }

    /** The digest containerd recorded for a pulled image ({@code ctr images ls}). */
    public String imageDigest(String nameAndTag) {
        String ref = TestRegistry.dockerHubReference(nameAndTag);
        return ctr("images", "ls").lines().map(l -> l.split("\\s+")).filter(f -> f[0].equals(ref)).map(f -> f[2])
                .findFirst().orElseThrow(() -> JcdException.notFound("containerd has no image %s; pull it first", ref));
    }

    /**
     * Mounts a read-only view of a pulled image's root filesystem at a new directory; close the
     * returned mount to unmount it and remove the view.
     */
    public Mounted mount(String nameAndTag) {
        try {
            Path target = Files.createTempDirectory(containerd.dir(), "mnt-");
            ctr("images", "mount", TestRegistry.dockerHubReference(nameAndTag), target.toString());
            return new Mounted(this, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a mount point under " + containerd.dir(), e);
        }
    }

    /** An image's root filesystem as containerd unpacked it. */
    public record Mounted(ReferenceContainerd containerd, Path root) implements AutoCloseable {
        @Override
        public void close() {
            containerd.ctr("images", "unmount", "--rm", root.toString());
        }
    }

    /** Stops the daemon (the process it started), unmounts what a failed test left, removes the temp dir. */
    @Override
    public void close() {
        try {
            containerd.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up containerd's temp dir " + containerd.dir(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while stopping containerd");
        }
    }
}
