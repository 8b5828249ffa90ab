package io.jcontainerd.snapshot;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.snapshot.fs.FileTrees;
import io.jcontainerd.snapshot.linux.Syscalls;
import io.jcontainerd.snapshot.mount.Mounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The one conformance suite of the {@link Snapshotter} contract, modelled on containerd's
 * snapshots/testsuite: every driver's test extends it unchanged and only says how to open the
 * driver on a root. It mounts for real, so it runs as root (extensions are *IT). Published in the
 * test-jar so the supervisor can run it against its namespaced wrapper too.
 */
public abstract class SnapshotterConformance {

    /** Opens the snapshotter under test on {@code root}, an empty directory the first time. */
    protected abstract Snapshotter open(Path root);

    protected final Mounter mounter = Mounter.linux();
    protected Path tmp;
    protected Path root;
    protected Path work;
    protected Snapshotter snapshotter;
    private final Deque<Path> mounted = new ArrayDeque<>();
    private final List<Snapshotter> opened = new ArrayList<>();
    private static final Map<String, String> GC_ROOT = Map.of("containerd.io/gc.root", "2026-11-23T00:00:00Z");

    @BeforeEach
    void setUpRoot() throws IOException {
        assertThat(Syscalls.linux().effectiveUid())
                .as("the snapshotter conformance suite mounts filesystems and must run as root")
                .isZero();
        tmp = Files.createTempDirectory("snapshot-suite-");
        root = Files.createDirectory(tmp.resolve("root"));
        work = Files.createDirectory(tmp.resolve("work"));
        snapshotter = reopen();
    }

    @AfterEach
    void tearDown() throws IOException {
        while (!mounted.isEmpty()) {
            mounter.unmountAll(mounted.pop());
        }
        opened.forEach(Snapshotter::close);
        FileTrees.deleteRecursively(tmp);
    }

    protected Snapshotter reopen() {
        Snapshotter s = open(root);
        opened.add(s);
        return s;
    }

    /** Prepares key on parent and mounts it on work/&lt;a name derived from key&gt;. */
    protected Path prepareAndMount(String key, String parent) throws IOException {
        return mount(snapshotter.prepare(key, parent, GC_ROOT), key);
    }

    protected Path viewAndMount(String key, String parent) throws IOException {
        return mount(snapshotter.view(key, parent, GC_ROOT), key);
    }

    protected Path mount(List<Mount> mounts, String key) throws IOException {
        assertThat(mounts).isNotEmpty();
        Path target = Files.createDirectories(work.resolve(key.replaceAll("[^A-Za-z0-9]", "_")));
        mounter.mountAll(mounts, target);
        mounted.push(target);
        return target;
    }

    protected void unmount(Path target) {
        mounter.unmountAll(target);
        mounted.remove(target);
    }

    /** Builds a chain of committed layers, each made by one change function, and returns the top name. */
    protected String commitLayers(List<FsChange> layers) throws IOException {
        String parent = "";
        for (int i = 0; i < layers.size(); i++) {
            Path dir = prepareAndMount("layer-" + i + "-active", parent);
            layers.get(i).apply(dir);
            unmount(dir);
            snapshotter.commit("layer-" + i, "layer-" + i + "-active", GC_ROOT);
            parent = "layer-" + i;
        }
        return parent;
    }

    @FunctionalInterface
    protected interface FsChange {
        void apply(Path dir) throws IOException;
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    // ---- the basic workflow and stat ----

    @Test
    void preparesCommitsAndViewsAChainOfLayers() throws IOException {
        Path preparing = prepareAndMount("preparing", "");
        write(preparing.resolve("foo"), "foo\n");
        Files.createDirectories(preparing.resolve("a/b/c"));
        snapshotter.commit("committed", "preparing", GC_ROOT);
        unmount(preparing);

        SnapshotInfo committed = snapshotter.stat("committed");
        assertThat(committed.parent()).isEmpty();
        assertThat(committed.kind()).isEqualTo(Kind.COMMITTED);
        assertThatThrownBy(() -> snapshotter.stat("preparing")).isInstanceOf(NotFoundException.class).hasMessageContaining("preparing");

        Path next = prepareAndMount("next layer", "committed");
        assertThat(FileTreeView.of(next)).containsKeys("foo", "a", "a/b", "a/b/c");
        write(next.resolve("bar"), "bar\n");
        write(next.resolve("foo"), "bar\n");
        FileTrees.deleteRecursively(next.resolve("a/b"));
        assertThat(snapshotter.stat("next layer").parent()).isEqualTo("committed");
        assertThat(snapshotter.stat("next layer").kind()).isEqualTo(Kind.ACTIVE);
        snapshotter.commit("committed-next", "next layer", GC_ROOT);
        unmount(next);
        assertThat(snapshotter.stat("committed-next").parent()).isEqualTo("committed");

        Map<String, SnapshotInfo> walked = new LinkedHashMap<>();
        snapshotter.walk(i -> walked.put(i.name(), i));
        assertThat(walked).containsOnlyKeys("committed", "committed-next");
        assertThat(walked.get("committed")).isEqualTo(committed);

        Path view = viewAndMount("view", "committed-next");
        Map<String, String> tree = FileTreeView.of(view);
        assertThat(tree).containsOnlyKeys("foo", "bar", "a");
        assertThat(Files.readString(view.resolve("foo"))).isEqualTo("bar\n");
        unmount(view);

        snapshotter.remove("view");
        assertThatThrownBy(() -> snapshotter.remove("committed"))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("committed-next");
        snapshotter.remove("committed-next");
        snapshotter.remove("committed");
        assertThat(walkNames()).isEmpty();
    }

    @Test
    void statOfAnActiveSnapshotShowsItsKeyKindAndNoParent() throws IOException {
        Path preparing = prepareAndMount("preparing", "");
        write(preparing.resolve("foo"), "foo\n");
        SnapshotInfo info = snapshotter.stat("preparing");
        assertThat(info.name()).isEqualTo("preparing");
        assertThat(info.kind()).isEqualTo(Kind.ACTIVE);
        assertThat(info.parent()).isEmpty();
        assertThat(info.labels()).isEqualTo(GC_ROOT);
        assertThat(info.created()).isNotNull();
    }

    @Test
    void statOfACommittedSnapshotShowsItsName() throws IOException {
        Path preparing = prepareAndMount("preparing", "");
        write(preparing.resolve("foo"), "foo\n");
        snapshotter.commit("committed", "preparing", Map.of("k", "v"));
        SnapshotInfo info = snapshotter.stat("committed");
        assertThat(info.name()).isEqualTo("committed");
        assertThat(info.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(info.labels()).containsExactly(entry("k", "v"));
    }

    @Test
    void parentsAreTransitive() throws IOException {
        String top = commitLayers(List.of(d -> write(d.resolve("foo"), "foo\n"), d -> write(d.resolve("foo"), "foo bar\n")));
        SnapshotInfo b = snapshotter.stat(top);
        assertThat(b.parent()).isEqualTo("layer-0");
        assertThat(snapshotter.stat(b.parent()).parent()).isEmpty();
    }

    @Test
    void keysAreArbitraryStringsWithSpacesAndSlashes() throws IOException {
        String key = "default/12/sha256:abc def/ünïcode";
        Path dir = prepareAndMount(key, "");
        write(dir.resolve("x"), "x");
        snapshotter.commit("sha256:chain id with spaces", key, Map.of());
        assertThat(snapshotter.stat("sha256:chain id with spaces").kind()).isEqualTo(Kind.COMMITTED);
    }

    // ---- errors ----

    @Test
    void prepareOrViewWithAKeyInUseFailsWithAlreadyExists() throws IOException {
        prepareAndMount("preparing", "");
        snapshotter.commit("snapA", "preparing", GC_ROOT);

        snapshotter.prepare("newlayer", "snapA", GC_ROOT);
        assertThatThrownBy(() -> snapshotter.view("newlayer", "snapA", GC_ROOT))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("newlayer");
        assertThatThrownBy(() -> snapshotter.prepare("newlayer", "snapA", GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
        snapshotter.view("viewLayer", "snapA", GC_ROOT);
        assertThatThrownBy(() -> snapshotter.view("viewLayer", "snapA", GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> snapshotter.prepare("snapA", "", GC_ROOT))
                .as("keys and committed names share one space").isInstanceOf(AlreadyExistsException.class);
    }

    @Test
    void prepareOnAMissingParentFailsWithNotFound() {
        assertThatThrownBy(() -> snapshotter.prepare("child", "no such parent", Map.of()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no such parent");
        assertThat(walkNames()).isEmpty();
    }

    @Test
    void prepareOnAnActiveParentFailsWithInvalidArgument() {
        snapshotter.prepare("active", "", Map.of());
        assertThatThrownBy(() -> snapshotter.prepare("child", "active", Map.of()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("active");
    }

    @Test
    void commitOfAViewOrCommittedSnapshotFailsWithFailedPrecondition() throws IOException {
        prepareAndMount("preparing", "");
        snapshotter.commit("base", "preparing", Map.of());
        snapshotter.view("a view", "base", Map.of());
        assertThatThrownBy(() -> snapshotter.commit("x", "a view", Map.of()))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("a view");
        assertThatThrownBy(() -> snapshotter.commit("y", "base", Map.of())).isInstanceOf(FailedPreconditionException.class);
        assertThatThrownBy(() -> snapshotter.commit("z", "missing", Map.of())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void commitUnderANameInUseFailsWithAlreadyExists() throws IOException {
        prepareAndMount("one", "");
        snapshotter.commit("taken", "one", Map.of());
        prepareAndMount("two", "");
        assertThatThrownBy(() -> snapshotter.commit("taken", "two", Map.of())).isInstanceOf(AlreadyExistsException.class);
        assertThat(snapshotter.stat("two").kind()).isEqualTo(Kind.ACTIVE);
    }

    @Test
    void mountsOfACommittedSnapshotFailWithFailedPrecondition() throws IOException {
        prepareAndMount("one", "");
        snapshotter.commit("c", "one", Map.of());
        assertThatThrownBy(() -> snapshotter.mounts("c")).isInstanceOf(FailedPreconditionException.class);
        assertThatThrownBy(() -> snapshotter.mounts("nope")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void mountsOfAnActiveSnapshotAreTheMountsPrepareReturned() {
        List<Mount> prepared = snapshotter.prepare("one", "", Map.of());
        assertThat(snapshotter.mounts("one")).isEqualTo(prepared);
    }

    // ---- removal ----

    @Test
    void removingAnIntermediateSnapshotFailsUntilItsChildrenAreGone() throws IOException {
        prepareAndMount("base", "");
        snapshotter.commit("committed-base", "base", GC_ROOT);
        snapshotter.prepare("intermediate", "committed-base", GC_ROOT);
        snapshotter.commit("committed-inter", "intermediate", GC_ROOT);
        snapshotter.prepare("toplayer", "committed-inter", GC_ROOT);
        snapshotter.view("a view", "committed-inter", GC_ROOT);

        assertThatThrownBy(() -> snapshotter.remove("committed-inter"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("toplayer").hasMessageContaining("a view");
        snapshotter.remove("toplayer");
        snapshotter.remove("a view");
        snapshotter.remove("committed-inter");
        snapshotter.remove("committed-base");
        assertThatThrownBy(() -> snapshotter.remove("committed-base")).isInstanceOf(NotFoundException.class);
        assertThat(walkNames()).isEmpty();
    }

    @Test
    void removeDeletesTheSnapshotsDirectories() throws IOException {
        Path dir = prepareAndMount("one", "");
        write(dir.resolve("big"), "x".repeat(100_000));
        unmount(dir);
        long before = countFiles(root);
        snapshotter.remove("one");
        assertThat(countFiles(root)).isLessThan(before);
        try (var s = Files.walk(root)) {
            assertThat(s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().equals("big"))).isEmpty();
        }
    }

    @Test
    void removeInBackgroundForgetsTheSnapshotAtOnceAndDeletesItsDirectoriesSoonAfter() throws Exception {
        Path dir = prepareAndMount("one", "");
        write(dir.resolve("big"), "x".repeat(100_000));
        unmount(dir);
        snapshotter.removeInBackground("one");
        assertThatThrownBy(() -> snapshotter.stat("one")).isInstanceOf(NotFoundException.class);
        snapshotter.prepare("one", "", Map.of()); // the key is free at once
        snapshotter.cleanup(); // leaves the directory being deleted to its deletion (no error either way)
        // the last count the wait saw is what is asserted: a walk after it can race the deletion's last rmdir
        // (bigFiles says 1, "look again", when a directory goes while it is walked)
        long deadline = System.nanoTime() + 30_000_000_000L;
        long left = bigFiles();
        while (left > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = bigFiles();
        }
        assertThat(left).as("files of the removed snapshot left after 30 s").isZero();
        assertThat(snapshotter.stat("one").kind()).isEqualTo(Kind.ACTIVE);
    }

    private long bigFiles() throws IOException {
        try (var s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().equals("big")).count();
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException raced) {
            return 1; // a directory went while it was walked: the deletion is under way, look again
        }
    }

    // ---- file semantics through mounted stacks ----

    @Test
    void aFileChangedInAnUpperLayerShowsTheNewContent() throws IOException {
        String top = commitLayers(List.of(
                d -> {
                    write(d.resolve("etc/hosts"), "mydomain 10.0.0.1");
                    write(d.resolve("etc/profile"), "PATH=/usr/bin");
                },
                d -> write(d.resolve("etc/hosts"), "mydomain 10.0.0.2")));
        Path view = viewAndMount("check", top);
        assertThat(Files.readString(view.resolve("etc/hosts"))).isEqualTo("mydomain 10.0.0.2");
        assertThat(Files.readString(view.resolve("etc/profile"))).isEqualTo("PATH=/usr/bin");
    }

    @Test
    void aDirectoryRemovedInAnUpperLayerIsGone() throws IOException {
        String top = commitLayers(List.of(
                d -> write(d.resolve("lib/modules/a.ko"), "a"),
                d -> FileTrees.deleteRecursively(d.resolve("lib"))));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.of(view)).isEmpty();
    }

    @Test
    void filesDeletedInAChildStayDeletedInItsChildren() throws IOException {
        String top = commitLayers(List.of(
                d -> {
                    write(d.resolve("foo"), "foo\n");
                    write(d.resolve("foobar"), "foobar\n");
                },
                d -> Files.delete(d.resolve("foobar")),
                d -> { }));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.of(view)).containsOnlyKeys("foo");
    }

    @Test
    void ownersChangedInAnUpperLayerAreKept() throws IOException {
        String top = commitLayers(List.of(
                d -> {
                    Files.createDirectories(d.resolve("opt/a/b"));
                    write(d.resolve("opt/a/b/file.txt"), "hello");
                },
                d -> {
                    Syscalls.linux().lchown(d.resolve("opt").toString(), 1, 2);
                    Syscalls.linux().lchown(d.resolve("opt/a/b/file.txt").toString(), 3, 4);
                }));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.describe(view.resolve("opt"))).contains(" 1:2");
        assertThat(FileTreeView.describe(view.resolve("opt/a/b/file.txt"))).contains(" 3:4").contains("\"hello\"");
    }

    @Test
    void directoryPermissionsSurviveCommit() throws IOException {
        String top = commitLayers(List.of(
                d -> {
                    Files.createDirectory(d.resolve("dir1"));
                    Syscalls.linux().chmod(d.resolve("dir1").toString(), 0700);
                    Syscalls.linux().lchown(d.resolve("dir1").toString(), 1, 1);
                    Files.createDirectory(d.resolve("sticky"));
                    Syscalls.linux().chmod(d.resolve("sticky").toString(), 01777);
                },
                d -> write(d.resolve("dir1/f"), "f")));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.describe(view.resolve("dir1"))).isEqualTo("dir 0700 1:1");
        assertThat(FileTreeView.describe(view.resolve("sticky"))).isEqualTo("dir 1777 0:0");
    }

    @Test
    void aFileMovedOutOfALowerLayerLeavesNothingBehind() throws IOException {
        String top = commitLayers(List.of(
                d -> write(d.resolve("dir/a"), "content"),
                d -> Files.move(d.resolve("dir/a"), d.resolve("b"))));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.of(view)).containsOnlyKeys("dir", "b");
        assertThat(Files.readString(view.resolve("b"))).isEqualTo("content");
    }

    @Test
    void aRenamedDirectoryKeepsItsContent() throws IOException {
        String top = commitLayers(List.of(
                d -> write(d.resolve("dir1/dir2/f"), "f"),
                d -> run("mv", d.resolve("dir1").toString(), d.resolve("dir3").toString())));
        Path view = viewAndMount("check", top);
        assertThat(FileTreeView.of(view)).containsOnlyKeys("dir3", "dir3/dir2", "dir3/dir2/f");
    }

    @Test
    void hardlinksSymlinksFifosAndXattrsAreVisibleInTheNextLayer() throws IOException {
        String top = commitLayers(List.of(d -> {
            write(d.resolve("bin/busybox"), "elf");
            Files.createLink(d.resolve("bin/sh"), d.resolve("bin/busybox"));
            Files.createSymbolicLink(d.resolve("bin/ls"), Path.of("busybox"));
            Syscalls.linux().mknod(d.resolve("fifo").toString(), Syscalls.S_IFIFO | 0600, 0);
            Syscalls.linux().chmod(d.resolve("bin/busybox").toString(), 04755);
            Syscalls.linux().lsetxattr(d.resolve("bin/busybox").toString(), "user.origin", "layer0".getBytes(StandardCharsets.UTF_8));
        }));
        Path dir = prepareAndMount("check", top);
        assertThat(Files.isSameFile(dir.resolve("bin/sh"), dir.resolve("bin/busybox"))).isTrue();
        assertThat(FileTreeView.describe(dir.resolve("bin/ls"))).isEqualTo("symlink -> busybox");
        assertThat(FileTreeView.describe(dir.resolve("fifo"))).isEqualTo("fifo 0600 0:0");
        assertThat(FileTreeView.describe(dir.resolve("bin/busybox"))).isEqualTo("file 4755 0:0 \"elf\"");
        assertThat(new String(Syscalls.linux().lgetxattr(dir.resolve("bin/busybox").toString(), "user.origin"), StandardCharsets.UTF_8))
                .isEqualTo("layer0");
    }

    @Test
    void aViewIsReadOnly() throws IOException {
        String top = commitLayers(List.of(d -> write(d.resolve("foo"), "foo")));
        Path view = viewAndMount("view", top);
        assertThatThrownBy(() -> Files.writeString(view.resolve("foo"), "changed"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only");
        assertThatThrownBy(() -> Files.createFile(view.resolve("new"))).isInstanceOfAny(FileSystemException.class, AccessDeniedException.class);
        assertThat(Files.readString(view.resolve("foo"))).isEqualTo("foo");
    }

    @Test
    void aViewOfManyLayersIsReadOnlyAndMergesThem() throws IOException {
        String top = commitLayers(List.of(d -> write(d.resolve("a"), "a"), d -> write(d.resolve("b"), "b"), d -> write(d.resolve("c"), "c")));
        Path view = viewAndMount("view", top);
        assertThat(FileTreeView.of(view)).containsOnlyKeys("a", "b", "c");
        assertThatThrownBy(() -> Files.writeString(view.resolve("d"), "d")).isInstanceOf(FileSystemException.class);
    }

    @Test
    void anEmptyViewMountsAnEmptyReadOnlyDirectory() throws IOException {
        Path view = viewAndMount("empty", "");
        assertThat(FileTreeView.of(view)).isEmpty();
        assertThatThrownBy(() -> Files.writeString(view.resolve("d"), "d")).isInstanceOf(FileSystemException.class);
    }

    @Test
    void aHundredAndTwentyEightStackedLayersMountAndShowEveryLayer() throws IOException {
        List<FsChange> layers = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            int n = i;
            layers.add(d -> write(d.resolve("layer" + n), Integer.toString(n)));
        }
        String top = commitLayers(layers);
        Path dir = prepareAndMount("top", top);
        assertThat(FileTreeView.of(dir)).hasSize(128);
        assertThat(Files.readString(dir.resolve("layer0"))).isEqualTo("0");
        assertThat(Files.readString(dir.resolve("layer127"))).isEqualTo("127");
    }

    // ---- labels, walk, usage ----

    @Test
    void updateReplacesOrEditsLabelsButNothingElse() throws IOException {
        prepareAndMount("one", "");
        snapshotter.commit("c", "one", Map.of("l1", "v1", "l2", "v2"));
        SnapshotInfo before = snapshotter.stat("c");

        SnapshotInfo all = snapshotter.update(new SnapshotInfo("c", "", Kind.COMMITTED, Map.of("l1", "v1", "l3", "v3"), null, null));
        assertThat(all.labels()).containsOnly(entry("l1", "v1"), entry("l3", "v3"));
        assertThat(all.updated()).isAfterOrEqualTo(before.updated());
        assertThat(all.created()).isEqualTo(before.created());

        SnapshotInfo some = snapshotter.update(new SnapshotInfo("c", "", Kind.COMMITTED, Map.of("l2", "new"), null, null),
                "labels.l2", "labels.l1");
        assertThat(some.labels()).containsOnly(entry("l2", "new"), entry("l3", "v3"));
        assertThat(snapshotter.stat("c").labels()).isEqualTo(some.labels());

        assertThatThrownBy(() -> snapshotter.update(new SnapshotInfo("c", "other", Kind.ACTIVE, Map.of(), null, null), "parent"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("parent");
        assertThatThrownBy(() -> snapshotter.update(new SnapshotInfo("nope", "", Kind.ACTIVE, Map.of(), null, null)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void walkVisitsEverySnapshotAndFiltersLikeContainerd() throws IOException {
        prepareAndMount("base-active", "");
        snapshotter.commit("base", "base-active", Map.of("containerd.io/gc.root", "x", "tier", "one"));
        snapshotter.prepare("child", "base", Map.of("tier", "two"));
        snapshotter.view("a view", "base", Map.of());

        assertThat(walkNames()).containsExactlyInAnyOrder("base", "child", "a view");
        assertThat(walkNames("kind==committed")).containsExactly("base");
        assertThat(walkNames("parent==base")).containsExactlyInAnyOrder("child", "a view");
        assertThat(walkNames("labels.tier==two")).containsExactly("child");
        assertThat(walkNames("labels.\"containerd.io/gc.root\"")).containsExactly("base");
        assertThat(walkNames("name~=^a ")).containsExactly("a view");
        assertThat(walkNames("parent==base,kind==view")).containsExactly("a view");
        assertThat(walkNames("kind==view", "labels.tier==one")).containsExactlyInAnyOrder("a view", "base");
        assertThatThrownBy(() -> walkNames("labels.\"unterminated")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void statInsideWalkDoesNotDeadlock() throws IOException {
        prepareAndMount("one", "");
        snapshotter.commit("c", "one", Map.of());
        List<SnapshotInfo> seen = new ArrayList<>();
        snapshotter.walk(i -> seen.add(snapshotter.stat(i.name())));
        assertThat(seen).extracting(SnapshotInfo::name).containsExactly("c");
    }

    @Test
    void usageCountsTheBytesAndInodesOfTheSnapshotsOwnLayer() throws IOException {
        Path dir = prepareAndMount("one", "");
        Usage empty = snapshotter.usage("one");
        write(dir.resolve("a/big"), "x".repeat(1 << 20));
        Files.createLink(dir.resolve("a/same"), dir.resolve("a/big"));
        Usage active = snapshotter.usage("one");
        assertThat(active.inodes()).isEqualTo(empty.inodes() + 2); // a and big; the hardlink counts once
        assertThat(active.size()).isBetween(empty.size() + (1 << 20), empty.size() + (1 << 20) + 64 * 1024);
        snapshotter.commit("c", "one", Map.of());
        assertThat(snapshotter.usage("c")).isEqualTo(active);

        Path child = prepareAndMount("child", "c");
        write(child.resolve("small"), "y");
        Usage childUsage = snapshotter.usage("child");
        assertThat(childUsage.size()).isPositive();
        assertThatThrownBy(() -> snapshotter.usage("missing")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void concurrentPreparesCommitsAndRemovesOfDistinctKeysAllSucceed() throws Exception {
        String top = commitLayers(List.of(d -> write(d.resolve("base"), "base")));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int n = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        String key = "worker " + n + " item " + i;
                        snapshotter.prepare(key, top, Map.of());
                        if (i % 2 == 0) {
                            snapshotter.commit(key + " committed", key, Map.of());
                            snapshotter.remove(key + " committed");
                        } else {
                            snapshotter.remove(key);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(walkNames()).containsExactly(top);
    }

    // ---- lifecycle ----

    @Test
    void aSnapshotterReopenedOnTheSameRootSeesItsSnapshots() throws IOException {
        String top = commitLayers(List.of(d -> write(d.resolve("a"), "a"), d -> write(d.resolve("b"), "b")));
        snapshotter.prepare("container rootfs", top, Map.of("owner", "me"));
        SnapshotInfo before = snapshotter.stat("container rootfs");
        snapshotter.close();

        snapshotter = reopen();
        assertThat(snapshotter.stat("container rootfs")).isEqualTo(before);
        assertThat(walkNames()).containsExactlyInAnyOrder("layer-0", "layer-1", "container rootfs");
        Path dir = mount(snapshotter.mounts("container rootfs"), "after restart");
        assertThat(FileTreeView.of(dir)).containsOnlyKeys("a", "b");
        snapshotter.prepare("new after restart", top, Map.of());
        assertThat(snapshotter.mounts("new after restart")).isNotEqualTo(snapshotter.mounts("container rootfs"));
    }

    @Test
    void cleanupRemovesDirectoriesNoSnapshotOwns() throws IOException {
        snapshotter.prepare("kept", "", Map.of());
        Path orphan = Files.createDirectories(root.resolve("snapshots/9999/fs"));
        Files.writeString(orphan.resolve("junk"), "junk");
        snapshotter.cleanup();
        assertThat(root.resolve("snapshots/9999")).doesNotExist();
        assertThat(snapshotter.stat("kept").kind()).isEqualTo(Kind.ACTIVE);
        assertThat(snapshotter.mounts("kept")).isNotEmpty();
    }

    @Test
    void closingTwiceIsHarmlessAndLaterCallsFailClearly() {
        snapshotter.close();
        snapshotter.close();
        assertThatThrownBy(() -> snapshotter.prepare("x", "", Map.of())).hasMessageContaining("closed");
    }

    private List<String> walkNames(String... filters) {
        List<String> names = new ArrayList<>();
        snapshotter.walk(i -> names.add(i.name()), filters);
        return names;
    }

    /** Runs a command as a user would (mv copes with overlayfs' EXDEV on directory renames; NIO does not). */
    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }
}
