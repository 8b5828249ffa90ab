package io.jcontainerd.runtime.container;

import com.sun.jna.Native;
import io.jcontainerd.runtime.init.InitMain;
import io.jcontainerd.runtime.linux.JnaLogManager;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of the init stage JVM: the same JDK as this jrunc, a small heap, serial GC, the
 * interpreter only (-Xint: no compiler thread; the init runs for tens of milliseconds and C1 with x100
 * thresholds compiled next to nothing: 3.5 ms less CPU per init, 10 ms with 50 mounts), no replay of the
 * AOT cache's profiles (its thread compiles ahead for a JIT there is none of), no perf data file, no logging (its
 * stdout is the container's), no crash report or core (they would land in the container), and an AOT cache when the build produced one (target/jrunc-init.aot),
 * mapped where it was built (ArchiveRelocationMode=0: relocating it cost ~2,800 page faults per
 * container start, the pages then private; the shim does the same).
 */
public record InitCommand(Path javaHome, Path jar, Path jnaJar, Path nativeDir) {
    /** Given explicitly, JNA skips running `/sbin/ldconfig -p` (a process spawn) when it loads. */
    /** Set by bin/jrunc-aot-train: where init stages record the classes they load (see {@link #argv}). */
    public static final String AOT_RECORD_ENV = "JRUNC_INIT_AOT_RECORD";
    public static final String JNA_PLATFORM_PATH = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib";

    /**
     * The init stage of the jrunc whose classes this JVM runs. It uses jrunc's own copies of JNA and
     * its native stub (next to jrunc.jar) even when this JVM loaded others (a process embedding the
     * library), so that it starts exactly as from the jrunc command, with the same AOT cache.
     */
    public static InitCommand current() {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jar = location(InitMain.class);
        Path jna = location(Native.class);
        Path jrunJna = jar.resolveSibling("lib").resolve(jna.getFileName());
        if (!Files.isDirectory(jar) && Files.isRegularFile(jrunJna)) jna = real(jrunJna);
        String boot = System.getProperty("jna.boot.library.path");
        Path nativeDir = boot == null ? null : real(Path.of(boot));
        // next to jrunc.jar, or to target/classes when this JVM runs the classes themselves (tests of an embedder)
        Path jrunNative = jar.resolveSibling("native/com/sun/jna/linux-x86-64");
        if (nativeDir == null && Files.isDirectory(jrunNative)) nativeDir = real(jrunNative);
        return new InitCommand(real(javaHome), jar, jna, nativeDir);
    }

    private static Path location(Class<?> c) {
        try {
            return real(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /**
     * The init stage's fixed JVM arguments (options, class path, main class) as a Java launcher argument
     * file, each argument quoted. The launch jail holds it at {@link #ARG_FILE} (written when the jail is
     * built), so that the init's command line, readable by the container as /proc/1/cmdline until start,
     * is only {@code java @/jrunc-init.args <fd>}: no jar path, jrunc directory or JVM option.
     */
    public String argFile() {
        StringBuilder b = new StringBuilder();
        for (String arg : jvmArgs()) {
            b.append('"');
            for (int i = 0; i < arg.length(); i++) {
                char ch = arg.charAt(i);
                switch (ch) {
                    case '"', '\\' -> b.append('\\').append(ch);
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case '\f' -> b.append("\\f");
                    default -> b.append(ch);
                }
            }
            b.append("\"\n");
        }
        return b.toString();
    }

    /** Where {@link #argFile} is in the launch jail: at its top, so its path names no host directory. */
    public static final String ARG_FILE = "/jrunc-init.args";

    /** argv[0] of the init stage: no path (the launcher finds its JDK through /proc/self/exe, which the jail provides). */
    public static final String ARGV0 = "jrunc-init";

    /**
     * The init stage's argv, spawned from {@link #launcher}: {@link #ARGV0}, the argument file in the jail, the
     * sync fd (and {@link InitMain#SPARE}); like runc's `runc init`, nothing of the host.
     */
    public List<String> launcherArgv(int syncFd, boolean spare) {
        List<String> a = new ArrayList<>(List.of(ARGV0, "@" + ARG_FILE, Integer.toString(syncFd)));
        if (spare) a.add(InitMain.SPARE);
        return a;
    }

    /** The file the init stage is spawned from: this JDK's java launcher. */
    public String launcher() {
        return javaHome.resolve("bin/java").toString();
    }

    /** The whole command line with the argument file expanded (bin/jrunc-aot-train runs it outside a jail). */
    public List<String> argv(int syncFd) {
        List<String> a = new ArrayList<>();
        a.add(launcher());
        a.addAll(jvmArgs());
        a.add(Integer.toString(syncFd));
        return a;
    }

    /** Options, class path and main class: everything but the launcher and the per-spawn arguments. */
    List<String> jvmArgs() {
        List<String> a = new ArrayList<>(List.of(
                "-XX:+UseSerialGC", "-Xint",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining", "-XX:ArchiveRelocationMode=0", "-XX:-UsePerfData", "-Xmx64m", "-Xss512k",
                "-XX:+DisableAttachMechanism", "--enable-native-access=ALL-UNNAMED"));
        // JRUNC_INIT_LOG=<what> (e.g. aot) shows the init JVM's own log for debugging; otherwise it stays silent
        String log = System.getenv("JRUNC_INIT_LOG");
        a.addAll(log == null ? List.of("-Xlog:disable", "-Xlog:all=off") : List.of("-Xlog:" + log));
        // A crash of this JVM must leave nothing in the container: HotSpot writes its hs_err report (host paths,
        // environment, memory map) to ErrorFile, else to its cwd (by then the container's), else /tmp (the
        // container's), and prints a banner on stdout (the container's). So no report at all, and no core; while
        // debugging (JRUNC_INIT_LOG) the report goes to stderr instead.
        a.addAll(log == null ? List.of("-XX:+SuppressFatalErrorMessage", "-XX:-CreateCoredumpOnCrash")
                : List.of("-XX:+ErrorFileToStderr", "-XX:-CreateCoredumpOnCrash"));
        String record = System.getenv(AOT_RECORD_ENV);
        Path aot = jar.getParent().resolve("jrunc-init.aot");
        if (record != null) {
            // training run (bin/jrunc-aot-train): record which classes the init stage loads; the path is
            // inside the container's root, where the init stage is when it exits
            a.addAll(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + record, "-Djrunc.train=true"));
        } else if (jar.toString().endsWith(".jar") && newerThanJar(aot)) {
            a.add("-XX:AOTCache=" + aot);
            a.add("-D" + InitMain.CACHED_PROPERTY + "=true"); // it holds every class of both jars: the init opens neither
        } else {
            a.add("-Xshare:auto");
        }
        if (nativeDir == null) {
            throw io.jcontainerd.runtime.JruncException.system("JNA's native stub is not unpacked next to %s (native/com/sun/jna/linux-x86-64): "
                    + "the init stage boots where it cannot unpack one; build runtime-oci with mvn package", jar);
        }
        a.add("-Djna.boot.library.path=" + nativeDir);
        a.add("-Djna.nosys=true");
        // nothing to unpack (and nowhere to: the launch jail has no writable directory), so no temp dir to clean either
        a.add("-Djna.nounpack=true");
        a.add("-Djna.platform.library.path=" + JNA_PLATFORM_PATH);
        // JNA takes loggers when it loads; the default manager's first configuration costs ~10 ms of CPU (see JnaLogManager)
        a.add("-Djava.util.logging.manager=" + JnaLogManager.class.getName());
        a.add("-cp");
        a.add(jar + ":" + jnaJar);
        a.add(InitMain.class.getName());
        return a;
    }

    /** A cache older than the jar holds stale classes (the JVM's own check missed that here): ignore it. */
    private boolean newerThanJar(Path aot) {
        try {
            return Files.isRegularFile(aot) && Files.getLastModifiedTime(aot).compareTo(Files.getLastModifiedTime(jar)) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Directories re-mounted read-only for the init stage: the JDK and wherever jrunc's jars live. */
    public List<Path> readOnlyDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(javaHome);
        dirs.add(Files.isDirectory(jar) ? jar : jar.getParent());
        dirs.add(jnaJar.getParent());
        if (nativeDir != null) dirs.add(nativeDir);
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) if (dirs.stream().noneMatch(o -> !o.equals(d) && d.startsWith(o))) out.add(d);
        return out;
    }
}
