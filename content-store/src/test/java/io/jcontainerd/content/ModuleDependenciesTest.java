package io.jcontainerd.content;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What content-store/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: proto/, snapshotter/, runtime-oci/, network/, shim/, supervisor/, ctr/, gRPC and RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.content");

    @Test
    void usesNoOtherModuleOfOursThanConfig() {
        noClasses().that().resideInAPackage("io.jcontainerd.content..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.proto..",
                    "io.jcontainerd.api..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.network..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: content-store/ may depend on config/")
                .check(CLASSES);
    }

    @Test
    void usesNoGrpcOrRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.content..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.rocksdb..")
                .because("ARCHITECTURE.md: content-store/ must not know gRPC and RocksDB")
                .check(CLASSES);
    }
}
