package io.jcontainerd.ctr.commands;

import com.google.protobuf.FieldMask;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.pull.v1.BlobStatus;
import io.jcontainerd.api.pull.v1.Done;
import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullGrpc;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.pull.v1.Unpacked;
import io.jcontainerd.api.services.images.v1.DeleteImageRequest;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.api.services.images.v1.Image;
import io.jcontainerd.api.services.images.v1.ImagesGrpc;
import io.jcontainerd.api.services.images.v1.ListImagesRequest;
import io.jcontainerd.api.services.images.v1.UpdateImageRequest;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.jcontainerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.ProgressDisplay;
import io.jcontainerd.ctr.output.Sizes;
import io.jcontainerd.ctr.output.Table;
import io.jcontainerd.ctr.stdio.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code jctr images pull|ls|rm|check|label}, as ctr's; pull runs on the daemon and streams progress. */
@Command(name = "images", aliases = {"image", "i"}, description = "manage images",
        subcommands = {ImagesCommand.Pull.class, ImagesCommand.Ls.class, ImagesCommand.Rm.class,
                ImagesCommand.Check.class, ImagesCommand.Label.class})
public final class ImagesCommand {
    static final String SNAPSHOT_REF = "containerd.io/gc.ref.snapshot.";

    abstract static class Sub extends ConnectedCommand {
    }

    @Command(name = "pull", description = "pull an image on the daemon and unpack it: REF")
    static final class Pull extends Sub {
        @Parameters(index = "0", description = "image reference, e.g. docker.io/library/busybox:latest") String ref;
        @Option(names = "--platform", description = "platform to pull, e.g. linux/arm64 (repeatable; default: this machine's)")
        List<String> platforms = List.of();
        @Option(names = "--all-platforms", description = "pull every platform of the image") boolean allPlatforms;
        @Option(names = "--snapshotter", defaultValue = "${env:CONTAINERD_SNAPSHOTTER:-}",
                description = "snapshotter to unpack into (default: the namespace's, else the daemon's)") String snapshotter;
        @Option(names = {"--no-unpack", "--skip-unpack"}, description = "only download, do not unpack") boolean noUnpack;
        @Option(names = "--max-concurrent-downloads", defaultValue = "0",
                description = "blobs downloaded at once (default: the daemon's setting)") int maxConcurrentDownloads;
        @Option(names = "--print-chainid", description = "print the chain ID of each unpacked image's top layer")
        boolean printChainId;

        int run(Connection conn) {
            long started = System.nanoTime();
            Iterator<PullEvent> events = PullGrpc.newBlockingStub(conn.channel()).pull(PullRequest.newBuilder()
                    .setReference(ref).addAllPlatforms(platforms).setAllPlatforms(allPlatforms).setUnpack(!noUnpack)
                    .setSnapshotter(snapshotter).setMaxConcurrentDownloads(maxConcurrentDownloads).build());
            boolean terminal = System.console() != null && System.console().isTerminal();
            int columns = terminal ? Terminal.size().map(rowsCols -> rowsCols[1]).orElse(0) : 0;
            ProgressDisplay display = new ProgressDisplay();
            Done done = null;
            long lastDraw = 0;
            try {
                while (events.hasNext()) {
                    PullEvent e = events.next();
                    if (e.hasDone()) {
                        done = e.getDone();
                        continue;
                    }
                    BlobStatus b = e.getBlob();
                    display.update(b.getRef(), status(b.getPhase()), b.getOffset(), b.getTotal());
                    long now = System.nanoTime();
                    if (terminal && now - lastDraw > 100_000_000L) {
                        display.redraw(out(), Duration.ofNanos(now - started), columns);
                        lastDraw = now;
                    }
                }
            } catch (StatusRuntimeException failed) {
                if (terminal) {
                    display.redraw(out(), Duration.ofNanos(System.nanoTime() - started), columns);
                }
                throw failed;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (terminal) {
                display.redraw(out(), elapsed, columns);
            } else {
                display.printFinal(out(), elapsed);
            }
            if (done == null) {
                throw new IllegalStateException("the daemon ended the pull of " + ref + " without a result; see its log");
            }
            for (Unpacked u : done.getUnpackedImagesList()) {
                out().printf("unpacking %s %s...%n", u.getPlatform(), done.getTarget().getDigest());
                if (printChainId) {
                    out().printf("image chain ID: %s%n", u.getChainId());
                }
            }
            out().printf("done: %s%n", goDuration(elapsed));
            out().printf("%s %s%n", done.getName(), done.getTarget().getDigest());
            out().flush();
            return 0;
        }

        static ProgressDisplay.Status status(BlobStatus.Phase p) {
            return switch (p) {
                case RESOLVING -> ProgressDisplay.Status.RESOLVING;
                case RESOLVED -> ProgressDisplay.Status.RESOLVED;
                case WAITING -> ProgressDisplay.Status.WAITING;
                case DOWNLOADING -> ProgressDisplay.Status.DOWNLOADING;
                case UNPACKING -> ProgressDisplay.Status.UNPACKING;
                case DONE -> ProgressDisplay.Status.DONE;
                case EXISTS -> ProgressDisplay.Status.EXISTS;
                case UNRECOGNIZED -> ProgressDisplay.Status.WAITING;
            };
        }
    }

    @Command(name = "ls", aliases = "list", description = "list images: REF TYPE DIGEST SIZE PLATFORMS LABELS")
    static final class Ls extends Sub {
        @Option(names = {"-q", "--quiet"}, description = "print only the image refs") boolean quiet;
        @Parameters(description = "filters, e.g. name~=busybox") List<String> filters = List.of();

        int run(Connection conn) {
            List<Image> images = ImagesGrpc.newBlockingStub(conn.channel())
                    .list(ListImagesRequest.newBuilder().addAllFilters(filters).build()).getImagesList().stream()
                    .sorted(Comparator.comparing(Image::getName)).toList();
            if (quiet) {
                images.forEach(i -> out().println(i.getName()));
                out().flush();
                return 0;
            }
            ImageContent content = new ImageContent(ContentGrpc.newBlockingStub(conn.channel()));
            Table t = new Table("REF", "TYPE", "DIGEST", "SIZE", "PLATFORMS", "LABELS");
            for (Image i : images) {
                ImageContent.Blob target = target(i);
                long size = content.hostBlobs(target).stream().mapToLong(ImageContent.Blob::size).sum();
                String labels = i.getLabelsCount() == 0 ? "-" : Labels.format(i.getLabelsMap());
                t.row(i.getName(), target.mediaType(), target.digest(), Sizes.human(size),
                        String.join(",", content.platforms(target)), labels);
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "check", description = "check that images are complete: REF TYPE DIGEST STATUS SIZE UNPACKED")
    static final class Check extends Sub {
        @Option(names = "--snapshotter", defaultValue = "${env:CONTAINERD_SNAPSHOTTER:-overlayfs}",
                description = "snapshotter whose unpacked layers count (default ${DEFAULT-VALUE})") String snapshotter;
        @Parameters(description = "filters, e.g. name~=busybox") List<String> filters = List.of();

        int run(Connection conn) {
            ImageContent content = new ImageContent(ContentGrpc.newBlockingStub(conn.channel()));
            SnapshotsGrpc.SnapshotsBlockingStub snapshots = SnapshotsGrpc.newBlockingStub(conn.channel());
            var cs = ContentGrpc.newBlockingStub(conn.channel());
            Table t = new Table("REF", "TYPE", "DIGEST", "STATUS", "SIZE", "UNPACKED");
            for (Image i : ImagesGrpc.newBlockingStub(conn.channel()).list(ListImagesRequest.newBuilder()
                    .addAllFilters(filters).build()).getImagesList().stream().sorted(Comparator.comparing(Image::getName)).toList()) {
                ImageContent.Blob target = target(i);
                List<ImageContent.Blob> blobs = content.hostBlobs(target);
                long present = blobs.stream().filter(b -> content.exists(b.digest())).count();
                long presentSize = blobs.stream().filter(b -> content.exists(b.digest())).mapToLong(ImageContent.Blob::size).sum();
                long size = blobs.stream().mapToLong(ImageContent.Blob::size).sum();
                boolean complete = present == blobs.size() && blobs.size() > 1;
                boolean unpacked = content.hostConfig(target).filter(c -> content.exists(c.digest())).map(c -> {
                    String chain = cs.info(io.jcontainerd.api.services.content.v1.InfoRequest.newBuilder().setDigest(c.digest())
                            .build()).getInfo().getLabelsMap().get(SNAPSHOT_REF + snapshotter);
                    return chain != null && snapshotExists(snapshots, chain);
                }).orElse(false);
                t.row(i.getName(), target.mediaType(), target.digest(),
                        (complete ? "complete" : "incomplete") + " (" + present + "/" + blobs.size() + ")",
                        Sizes.human(presentSize) + "/" + Sizes.human(size), Boolean.toString(unpacked));
            }
            t.print(out());
            return 0;
        }

        private boolean snapshotExists(SnapshotsGrpc.SnapshotsBlockingStub s, String key) {
            try {
                s.stat(StatSnapshotRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build());
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        }
    }

    @Command(name = "remove", aliases = {"rm", "delete", "del"}, description = "remove images: REF...")
    static final class Rm extends Sub {
        @Option(names = "--sync", description = "collect the image's content and snapshots before returning") boolean sync;
        @Parameters(arity = "1..*") List<String> refs;

        int run(Connection conn) {
            var images = ImagesGrpc.newBlockingStub(conn.channel());
            for (int i = 0; i < refs.size(); i++) {
                // like ctr: only the last delete waits for the collection, which covers them all
                images.delete(DeleteImageRequest.newBuilder().setName(refs.get(i)).setSync(sync && i == refs.size() - 1).build());
                out().println(refs.get(i));
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "label", description = "set and clear labels of an image: REF [KEY=VALUE...] (KEY= removes)")
    static final class Label extends Sub {
        @Parameters(index = "0") String ref;
        @Parameters(index = "1..*") List<String> labels = List.of();

        int run(Connection conn) {
            var images = ImagesGrpc.newBlockingStub(conn.channel());
            Map<String, String> given = Labels.parse(labels);
            Image updated;
            if (given.isEmpty()) {
                updated = images.get(GetImageRequest.newBuilder().setName(ref).build()).getImage();
            } else {
                FieldMask.Builder mask = FieldMask.newBuilder();
                given.keySet().forEach(k -> mask.addPaths("labels." + k));
                updated = images.update(UpdateImageRequest.newBuilder()
                        .setImage(Image.newBuilder().setName(ref).putAllLabels(given)).setUpdateMask(mask).build()).getImage();
            }
            out().println(Labels.format(updated.getLabelsMap()));
            out().flush();
            return 0;
        }
    }

    static ImageContent.Blob target(Image i) {
        return new ImageContent.Blob(i.getTarget().getMediaType(), i.getTarget().getDigest(), i.getTarget().getSize());
    }

    /** Go's time.Duration text, as ctr prints "done: 1.234567s". */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000_000) {
            return String.format("%.3fµs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000L) {
            return String.format("%.3fms", nanos / 1e6);
        }
        return String.format("%.3fs", nanos / 1e9);
    }
}
