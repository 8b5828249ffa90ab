package io.jcontainerd.ctr;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What ctr/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: content-store/, snapshotter/, runtime-oci/, shim/, supervisor/, RocksDB.
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.ctr");

    @Test
    void usesNoOtherModuleOfOursThanConfigProtoNetwork() {
        noClasses().that().resideInAPackage("io.jcontainerd.ctr..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.content..",
                    "io.jcontainerd.snapshot..",
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.shim..",
                    "io.jcontainerd.supervisor..")
                .because("ARCHITECTURE.md: ctr/ may depend on config/, proto/, network/")
                .check(CLASSES);
    }

    @Test
    void usesNoRocksDb() {
        noClasses().that().resideInAPackage("io.jcontainerd.ctr..")
                .should().dependOnClassesThat().resideInAnyPackage("org.rocksdb..")
                .because("ARCHITECTURE.md: ctr/ must not know RocksDB")
                .check(CLASSES);
    }
}
