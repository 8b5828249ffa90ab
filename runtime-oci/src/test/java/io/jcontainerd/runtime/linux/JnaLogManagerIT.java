package io.jcontainerd.runtime.linux;

import io.jcontainerd.runtime.container.InitCommand;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Spawns a JVM with the init stage's options, which needs JNA's native stub unpacked by the package phase: an IT. */
class JnaLogManagerIT {
    /** Run in a JVM with the init stage's own options: loads JNA and libc, then logs a warning. */
    public static final class LoadsJna {
        public static void main(String[] args) {
            System.out.println("pid " + LibC.INSTANCE.getpid());
            Logger.getLogger("jrunc-test").warning("a warning nobody configured a handler for");
            System.out.println("manager " + java.util.logging.LogManager.getLogManager().getClass().getName());
        }
    }

    @Test
    void theInitStagesJvmLoadsJnaWithoutTheLoggingBackendLookupAndLogsNothingToTheContainersStderr() throws Exception {
        List<String> argv = new ArrayList<>(InitCommand.current().argv(3));
        argv.removeLast(); // the sync fd
        argv.removeLast(); // init.InitMain
        int cp = argv.indexOf("-cp");
        String testClasses = Path.of(LoadsJna.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        argv.set(cp + 1, argv.get(cp + 1) + File.pathSeparator + testClasses);
        argv.add(cp, "-Xlog:class+load=info:stdout");
        argv.add(LoadsJna.class.getName());
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("pid ", "manager io.jcontainerd.runtime.linux.JnaLogManager", "com.sun.jna.NativeLibrary ");
        assertThat(out).as("the System.LoggerFinder lookup through every jar").doesNotContain("BootstrapLogger$DetectBackend");
        assertThat(err).isEmpty();
    }
}
