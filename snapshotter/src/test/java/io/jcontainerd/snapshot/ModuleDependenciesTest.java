package io.jcontainerd.snapshot;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What snapshotter/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: proto/, content-store/, runtime-oci/, network/, shim/, supervisor/, ctr/, gRPC and RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.snapshot");

    @Test
    void usesNoOtherModuleOfOursThanConfig() {
        noClasses().that().resideInAPackage("io.jcontainerd.snapshot..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.proto..",
                    "io.jcontainerd.api..",
                    "io.jcontainerd.content..",
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.network..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: snapshotter/ may depend on config/")
                .check(CLASSES);
    }

    @Test
    void usesNoGrpcOrRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.snapshot..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.rocksdb..")
                .because("ARCHITECTURE.md: snapshotter/ must not know gRPC and RocksDB")
                .check(CLASSES);
    }
}
