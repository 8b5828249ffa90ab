package io.jcontainerd.supervisor;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.jcontainerd.network.NetworkManager;
import io.jcontainerd.network.Sandbox;
import io.jcontainerd.shim.ShimClient;
import io.jcontainerd.shim.ShimFiles;
import io.jcontainerd.shim.process.ExitStatus;
import io.jcontainerd.shim.process.ExitStatusFile;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What supervisor/ may depend on, from the module table in ARCHITECTURE.md, checked on its compiled classes
 * (not its imports): a rule broken fails the build naming each offending dependency. Must not use: runtime-oci/, ctr/;
 * network/ only from the front ends that give containers networks (the Docker facade, CRI), and from the daemon's
 * wiring only to open the one NetworkManager both share (NetworkManager, Sandbox).
 */
class ModuleDependenciesTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jcontainerd.supervisor");

    @Test
    void usesNoOtherModuleOfOursThanConfigProtoContentSnapshotShimNetwork() {
        noClasses().that().resideInAPackage("io.jcontainerd.supervisor..")
                .should().dependOnClassesThat().resideInAnyPackage(
                    "io.jcontainerd.runtime..",
                    "io.jcontainerd.ctr..")
                .because("ARCHITECTURE.md: supervisor/ may depend on config/, proto/, content-store/, snapshotter/, shim/, network/")
                .check(CLASSES);
    }

    @Test
    void usesTheNetworkModuleOnlyFromTheFrontEndsThatGiveContainersNetworks() {
        noClasses().that().resideInAPackage("io.jcontainerd.supervisor..")
                .and().resideOutsideOfPackages("io.jcontainerd.supervisor.docker..", "io.jcontainerd.supervisor.cri..",
                        "io.jcontainerd.supervisor.daemon")
                .should().dependOnClassesThat().resideInAPackage("io.jcontainerd.network..")
                .because("ARCHITECTURE.md: network/ serves the Docker facade and CRI; the containerd API services know no networks")
                .check(CLASSES);
    }

    @Test
    void usesTheNetworkModuleInTheDaemonWiringOnlyToOpenTheOneNetworkManagerOfBothFrontEnds() {
        noClasses().that().resideInAPackage("io.jcontainerd.supervisor.daemon")
                .should().dependOnClassesThat(resideInAPackage("io.jcontainerd.network..")
                        .and(not(belongToAnyOf(NetworkManager.class, Sandbox.class))))
                .because("ARCHITECTURE.md: the daemon opens one NetworkManager (tearing down the sandboxes of containers gone while it was down)"
                        + " and hands it to the Docker facade and CRI; it does no networking itself")
                .check(CLASSES);
    }

    @Test
    void usesOnlyTheShimsClientApiAndFileNames() {
        noClasses().that().resideInAPackage("io.jcontainerd.supervisor..")
                .should().dependOnClassesThat(resideInAPackage("io.jcontainerd.shim..")
                        .and(not(belongToAnyOf(ShimClient.class, ShimFiles.class,
                                ExitStatusFile.class, ExitStatus.class))))
                .because("ARCHITECTURE.md: the supervisor uses the shim's client API and its files (names, the exit status file) only; the shim's insides run in its own process")
                .check(CLASSES);
    }
}
