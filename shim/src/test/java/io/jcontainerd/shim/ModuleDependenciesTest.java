package io.jcontainerd.shim;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What shim/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: content-store/, snapshotter/, network/, supervisor/, ctr/, RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.shim");

    @Test
    void usesNoOtherModuleOfOursThanConfigProtoRuntime() {
        noClasses().that().resideInAPackage("io.jcontainerd.shim..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.content..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.network..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: shim/ may depend on config/, proto/, runtime-oci/")
                .check(CLASSES);
    }

    @Test
    void usesNoRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.shim..")
                .should().dependOnClassesThat().resideInAnyPackage("org.rocksdb..")
                .because("ARCHITECTURE.md: shim/ must not know RocksDB")
                .check(CLASSES);
    }

    @Test
    void usesNoGrpcOrNetty() {
        noClasses().that().resideInAPackage("io.jcontainerd.shim..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "io.netty..", "com.google.common..")
                .because("ARCHITECTURE.md: the shim speaks ttrpc on the JDK's unix sockets; gRPC, netty and Guava are not on its class path")
                .check(CLASSES);
    }
}
