package io.jcontainerd.proto;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What proto/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: content-store/, snapshotter/, runtime-oci/, network/, shim/, supervisor/, ctr/, RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.proto");

    @Test
    void usesNoOtherModuleOfOursThanConfig() {
        noClasses().that().resideInAPackage("io.jcontainerd.proto..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.content..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.network..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: proto/ may depend on config/")
                .check(CLASSES);
    }

    @Test
    void usesNoRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.proto..")
                .should().dependOnClassesThat().resideInAnyPackage("org.rocksdb..")
                .because("ARCHITECTURE.md: proto/ must not know RocksDB")
                .check(CLASSES);
    }

    @Test
    void theTtrpcTransportAndTheStatusTableUseNoGrpc() {
        noClasses().that().resideInAPackage("io.jcontainerd.proto.ttrpc..")
                .or().haveFullyQualifiedName(StatusCodes.class.getName())
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "com.google.common..")
                .because("ARCHITECTURE.md: the shim speaks ttrpc and carries no gRPC (its class path has none)")
                .check(CLASSES);
    }
}
