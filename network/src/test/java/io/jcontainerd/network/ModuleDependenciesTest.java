package io.jcontainerd.network;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What network/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: proto/, content-store/, snapshotter/, runtime-oci/, shim/, supervisor/, ctr/, gRPC and RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.network");

    @Test
    void usesNoOtherModuleOfOursThanConfig() {
        noClasses().that().resideInAPackage("io.jcontainerd.network..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.proto..",
                    "io.jcontainerd.api..",
                    "io.jcontainerd.content..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: network/ may depend on config/")
                .check(CLASSES);
    }

    @Test
    void usesNoGrpcOrRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.network..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.rocksdb..")
                .because("ARCHITECTURE.md: network/ must not know gRPC and RocksDB")
                .check(CLASSES);
    }
}
