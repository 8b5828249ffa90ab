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
import io.jcontainerd.ctr.Specs;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.ProgressDisplay;
import io.jcontainerd.ctr.output.Sizes;
import io.jcontainerd.ctr.output.Table;
import io.jcontainerd.ctr.stdio.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code jctr images pull|ls|rm|check|label}, as ctr's; pull runs on the daemon and streams progress. */
public final class ImagesCommand {
    static final String SNAPSHOT_REF = "containerd.io/gc.ref.snapshot.";

    private ImagesCommand() {
    }

    /** The group; {@code named}: the subcommand asked for, the only one made ({@link Specs#group}). */
    public static CommandLine command(String named) {
        return Specs.group(new ImagesCommand(), "images", "manage images", new String[]{"image", "i"}, named, false,
                List.of(Specs.Sub.of(() -> new Pull().spec, "pull"), Specs.Sub.of(() -> new Ls().spec, "ls", "list"),
                        Specs.Sub.of(() -> new Rm().spec, "remove", "rm", "delete", "del"), Specs.Sub.of(Check::new, "check"),
                        Specs.Sub.of(Label::new, "label")));
    }

    abstract static class Sub extends ConnectedCommand {
    }

    /** Model built in code ({@link Specs}): one of the commands users time. */
    static final class Pull extends Sub {
        private String ref;
        private List<String> platforms;
        private boolean allPlatforms;
        private String snapshotter;
        private boolean noUnpack;
        private int maxConcurrentDownloads;
        private boolean printChainId;

        Pull() {
            spec = Specs.command(this, "pull", "pull an image on the daemon and unpack it: REF");
            spec.addPositional(Specs.positional(0, "<ref>", "image reference, e.g. docker.io/library/busybox:latest"));
            spec.addOption(Specs.repeatable("<platforms>", "platform to pull, e.g. linux/arm64 (repeatable; default: this machine's)",
                    "--platform"));
            spec.addOption(Specs.flag("pull every platform of the image", "--all-platforms"));
            spec.addOption(Specs.defaulted(String.class, "<snapshotter>", "${env:CONTAINERD_SNAPSHOTTER:-}",
                    "snapshotter to unpack into (default: the namespace's, else the daemon's)", "--snapshotter"));
            spec.addOption(Specs.flag("only download, do not unpack", "--no-unpack", "--skip-unpack"));
            spec.addOption(Specs.defaulted(int.class, "<maxConcurrentDownloads>", "0",
                    "blobs downloaded at once (default: the daemon's setting)", "--max-concurrent-downloads"));
            spec.addOption(Specs.flag("print the chain ID of each unpacked image's top layer", "--print-chainid"));
        }

        @Override
        int run(Connection conn) {
            ref = spec.positionalParameters().get(0).getValue();
            platforms = Specs.values(spec, "--platform");
            allPlatforms = Specs.isSet(spec, "--all-platforms");
            snapshotter = Specs.valueOr(spec, "--snapshotter", "");
            noUnpack = Specs.isSet(spec, "--no-unpack");
            maxConcurrentDownloads = Specs.value(spec, "--max-concurrent-downloads");
            printChainId = Specs.isSet(spec, "--print-chainid");
            return pull(conn);
        }

        private int pull(Connection conn) {
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

    /** Model built in code ({@link Specs}): one of the commands users time. */
    static final class Ls extends Sub {
        Ls() {
            spec = Specs.command(this, "ls", "list images: REF TYPE DIGEST SIZE PLATFORMS LABELS", "list");
            spec.addOption(Specs.flag("print only the image refs", "-q", "--quiet"));
            spec.addPositional(Specs.rest(0, false, "<filters>", "filters, e.g. name~=busybox"));
        }

        @Override
        int run(Connection conn) {
            boolean quiet = Specs.isSet(spec, "--quiet");
            List<String> filters = Specs.strings(spec, 0);
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

    /** Model built in code ({@link Specs}): the bench's and the tests' cleanup. */
    static final class Rm extends Sub {
        Rm() {
            spec = Specs.command(this, "remove", "remove images: REF...", "rm", "delete", "del");
            spec.addOption(Specs.flag("collect the image's content and snapshots before returning", "--sync"));
            spec.addPositional(Specs.rest(0, true, "<refs>", "image references"));
        }

        @Override
        int run(Connection conn) {
            boolean sync = Specs.isSet(spec, "--sync");
            List<String> refs = Specs.strings(spec, 0);
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
