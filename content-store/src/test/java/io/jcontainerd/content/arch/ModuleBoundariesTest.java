package io.jcontainerd.content.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The content store is a backend (DESIGN.md): it must not reach up into the supervisor's metadata
 * (RocksDB, namespaces), gRPC, or across into snapshots and the runtime. Checked on the sources,
 * import by import, so a forbidden arrow fails the build where it is drawn.
 */
class ModuleBoundariesTest {

    private static final List<String> FORBIDDEN = List.of(
            "io.grpc", "com.google.protobuf", "org.rocksdb",
            "io.jcontainerd.api", "io.jcontainerd.proto", "io.jcontainerd.supervisor",
            "io.jcontainerd.snapshot", "io.jcontainerd.runtime", "io.jcontainerd.shim", "io.jcontainerd.ctr");

    @Test
    void mainSourcesImportNothingOfGrpcRocksdbOrOtherModules() throws IOException {
        Path main = Path.of("src/main/java");
        assertThat(main).as("run from the content-store module directory").isDirectory();
        List<String> offending;
        try (Stream<Path> files = Files.walk(main)) {
            offending = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(ModuleBoundariesTest::imports)
                    .filter(line -> FORBIDDEN.stream().anyMatch(f -> line.contains(" " + f + ".")))
                    .toList();
        }
        assertThat(offending).isEmpty();
    }

    @Test
    void theStoreDoesNotKnowAboutNamespacesOrLabels() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/jcontainerd/content/store"))) {
            List<String> mentions = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(p -> lines(p).filter(l -> l.matches(".*\\b(namespace|Namespace)\\b.*")).map(l -> p + ": " + l.strip()))
                    .toList();
            assertThat(mentions).isEmpty();
        }
    }

    private static Stream<String> imports(Path file) {
        return lines(file).filter(l -> l.startsWith("import ")).map(l -> file.getFileName() + ": " + l);
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
