package io.jcontainerd.snapshot.apply;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.snapshot.FileTreeView;
import io.jcontainerd.snapshot.fs.FileTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

/**
 * The named table of ways a hostile layer tries to write outside its snapshot. Every case is
 * applied next to a sentinel directory; afterwards the sentinel must be byte-for-byte as before
 * and nothing new may exist beside the target. A case is either REFUSED (an InvalidArgument
 * naming the entry) or CONTAINED (accepted, and what it wrote is inside the target: the third
 * column then names the file expected inside, with "!" one expected gone, with "@" a symlink).
 */
class LayerEscapeCasesTest {

    enum Outcome { REFUSED, CONTAINED }

    private Path tmp;
    private Path target;
    private Path sentinel;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createTempDirectory("escape-");
        target = Files.createDirectory(tmp.resolve("target"));
        sentinel = Files.createDirectory(tmp.resolve("sentinel"));
        Files.writeString(sentinel.resolve("secret"), "original");
        Files.createDirectory(sentinel.resolve("sub"));
    }

    @AfterEach
    void tearDown() throws IOException {
        FileTrees.deleteRecursively(tmp);
    }

    private static Arguments escape(String name, Outcome outcome, String entry, BiFunction<TestLayer, Path, TestLayer> layer) {
        return Arguments.of(named(name, layer), outcome, entry);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                escape("dot-dot entry", Outcome.REFUSED, "../sentinel/evil",
                        (t, s) -> t.file("../sentinel/evil", "pwned")),
                escape("dot-dot hidden in the middle", Outcome.REFUSED, "a/../../sentinel/evil",
                        (t, s) -> t.dir("a", 0755).file("a/../../sentinel/evil", "pwned")),
                escape("dot-dot directory entry", Outcome.REFUSED, "../sentinel/newdir/",
                        (t, s) -> t.dir("../sentinel/newdir/", 0755)),
                escape("absolute path is taken relative to the root", Outcome.CONTAINED, "<sentinel>/evil",
                        (t, s) -> t.file(s.resolve("evil").toString(), "contained")),
                escape("symlink to an absolute path outside, then a file through it", Outcome.CONTAINED, "<sentinel>/secret",
                        (t, s) -> t.symlink("link", s.toString()).file("link/secret", "contained")),
                escape("symlink to a relative path outside, then a file through it", Outcome.REFUSED, "link/secret",
                        (t, s) -> t.symlink("link", "../sentinel").file("link/secret", "pwned")),
                escape("chain of symlinks leading outside", Outcome.REFUSED, "a/secret",
                        (t, s) -> t.symlink("b", "../sentinel").symlink("a", "b").file("a/secret", "pwned")),
                escape("symlink deep in the tree climbing out", Outcome.REFUSED, "x/y/up/secret",
                        (t, s) -> t.dir("x", 0755).dir("x/y", 0755).symlink("x/y/up", "../../../sentinel").file("x/y/up/secret", "pwned")),
                escape("symlink outside, then a directory through it", Outcome.REFUSED, "link/newdir/",
                        (t, s) -> t.symlink("link", "../sentinel").dir("link/newdir/", 0755)),
                escape("symlink outside, then a symlink through it", Outcome.REFUSED, "link/other",
                        (t, s) -> t.symlink("link", "../sentinel").symlink("link/other", "/etc")),
                escape("hardlink to a file outside (relative)", Outcome.REFUSED, "evil",
                        (t, s) -> t.hardlink("evil", "../sentinel/secret")),
                escape("hardlink to a file outside (absolute)", Outcome.REFUSED, "evil",
                        (t, s) -> t.hardlink("evil", s.resolve("secret").toString())),
                escape("hardlink to a symlink pointing outside links the symlink itself", Outcome.CONTAINED, "@evil",
                        (t, s) -> t.symlink("out", "../sentinel/secret").hardlink("evil", "out")),
                escape("hardlink through a symlink pointing outside", Outcome.REFUSED, "evil",
                        (t, s) -> t.symlink("link", "../sentinel").hardlink("evil", "link/secret")),
                escape("directory replaced by a symlink mid-archive, then a file through it", Outcome.REFUSED, "d/secret",
                        (t, s) -> t.dir("d", 0755).file("d/ok", "ok").symlink("d", "../sentinel").file("d/secret", "pwned")),
                escape("file over a symlink pointing outside replaces the link", Outcome.CONTAINED, "evil",
                        (t, s) -> t.symlink("evil", "../sentinel/secret").file("evil", "contained")),
                escape("whiteout through a symlink pointing outside", Outcome.REFUSED, "link/.wh.secret",
                        (t, s) -> t.symlink("link", "../sentinel").file("link/.wh.secret", "")),
                escape("opaque whiteout through a symlink pointing outside", Outcome.REFUSED, "link/.wh..wh..opq",
                        (t, s) -> t.symlink("link", "../sentinel").file("link/.wh..wh..opq", "")),
                escape("whiteout of a symlink pointing outside deletes only the link", Outcome.CONTAINED, "!link",
                        (t, s) -> t.symlink("link", "../sentinel").file(".wh.link", "")),
                escape("whiteout of '..'", Outcome.REFUSED, ".wh...",
                        (t, s) -> t.file(".wh...", "")),
                escape("symlink loop among the parents", Outcome.REFUSED, "a/x",
                        (t, s) -> t.symlink("a", "b").symlink("b", "a").file("a/x", "pwned")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aLayerNeverWritesOutsideItsTarget(BiFunction<TestLayer, Path, TestLayer> layer, Outcome outcome, String entry) throws IOException {
        Map<String, String> before = FileTreeView.of(sentinel);
        int uid = (Integer) Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(tmp, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        byte[] tar = layer.apply(TestLayer.tar().owner(uid, gid), sentinel).gzip();
        LayerApplier applier = new LayerApplier();

        if (outcome == Outcome.REFUSED) {
            assertThatThrownBy(() -> applier.apply(new ByteArrayInputStream(tar), Compression.GZIP, target, WhiteoutMode.DELETE))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("layer entry " + entry);
        } else {
            applier.apply(new ByteArrayInputStream(tar), Compression.GZIP, target, WhiteoutMode.DELETE);
        }

        assertThat(FileTreeView.of(sentinel)).as("the sentinel beside the target").isEqualTo(before);
        try (Stream<Path> beside = Files.list(tmp)) {
            assertThat(beside.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("target", "sentinel");
        }
        if (outcome == Outcome.CONTAINED) {
            String expected = entry.replace("<sentinel>", sentinel.toString().substring(1));
            if (expected.startsWith("!")) {
                assertThat(target.resolve(expected.substring(1))).doesNotExist();
            } else if (expected.startsWith("@")) {
                assertThat(target.resolve(expected.substring(1))).isSymbolicLink();
            } else {
                assertThat(target.resolve(expected)).isRegularFile().hasContent("contained");
            }
            try (Stream<Path> written = Files.walk(target)) {
                List<Path> files = written.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
                for (Path f : files) {
                    assertThat(f.toRealPath(LinkOption.NOFOLLOW_LINKS)).startsWith(target);
                    assertThat(Files.readString(f)).isEqualTo("contained");
                }
            }
        }
    }
}
