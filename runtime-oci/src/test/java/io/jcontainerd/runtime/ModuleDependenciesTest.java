package io.jcontainerd.runtime;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What runtime-oci/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: config/, proto/, content-store/, snapshotter/, network/, shim/, supervisor/, ctr/, gRPC and RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.runtime");

    @Test
    void usesNoOtherModuleOfOursThanNone() {
        noClasses().that().resideInAPackage("io.jcontainerd.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.config..",
                    "io.jcontainerd.proto..",
                    "io.jcontainerd.api..",
                    "io.jcontainerd.content..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.network..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: runtime-oci/ may depend on nothing of ours")
                .check(CLASSES);
    }

    @Test
    void usesNoGrpcOrRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.rocksdb..")
                .because("ARCHITECTURE.md: runtime-oci/ must not know gRPC and RocksDB")
                .check(CLASSES);
    }
}
