package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.SyscallException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.jar.JarFile;

/**
 * Entry point of the container init stage (a separate JVM started by `jrunc create`/`exec`), kept
 * small: it loads only the plan codec, the stage and JNA. argv[0] is the sync socket's fd number.
 */
public final class InitMain {
    /** argv[1] of a spare init stage, which first waits for its stdio and mount namespace ({@link SpareHandOver}). */
    public static final String SPARE = "spare";

    private InitMain() {}

    public static void main(String[] args) {
        // first thing once JNA is there: no /proc/<pid>/{exe,fd,mem,map_files} for the container's processes
        // (those with CAP_SYS_PTRACE pass this check; for them the JVM boots in a jail, see container.LaunchJail)
        LibC.INSTANCE.prctl(LinuxConstants.PR_SET_DUMPABLE, 0, 0, 0, 0);
        FdChannel channel = new FdChannel(Integer.parseInt(args[0]));
        if (Boolean.getBoolean("jrunc.train")) loadClassPathForTraining();
        else if (!classPathCached()) openClassPath();
        InitPlan plan;
        PlanFds fds;
        try {
            if (args.length > 1 && args[1].equals(SPARE) && !SpareHandOver.receive(channel)) Runtime.getRuntime().halt(0);
            plan = PlanCodec.decode(channel.receiveBytes());
            fds = PlanFds.receive(channel, plan);
        } catch (RuntimeException e) {
            channel.send("error cannot read the init plan: " + e.getMessage());
            Runtime.getRuntime().halt(1);
            return;
        }
        try {
            JnaSyscalls sys = Boolean.getBoolean("jrunc.train") ? new JnaSyscalls() {
                // AOT training run: exit normally instead of exec so the JVM writes its class list, after an
                // execve that fails, so the classes of the real one are in the list too
                @Override public void execve(String path, java.util.List<String> argv, java.util.List<String> env) {
                    try {
                        super.execve("/nonexistent/jrunc-aot-training", argv, env);
                    } catch (SyscallException expected) {
                        Runtime.getRuntime().halt(0); // not exit: Runtime.exit looks its logger up (BootstrapLogger$DetectBackend), which the cache would then hold
                    }
                    System.exit(1);
                }
            } : new JnaSyscalls();
            new InitStage(sys, channel, plan, fds).run();
        } catch (Throwable t) {
            // before "ready" the message already went to jrunc; after it, stderr is the container's.
            System.err.println("jrunc init: " + t.getMessage());
            System.err.flush();
        }
        Runtime.getRuntime().halt(127);
    }

    /**
     * Loads, without initialising, every class of the class path's jars (jrunc's and JNA's): the AOT cache then
     * holds them all, so that no path a training run does not take (a spare's hand-over, sysctl, most errors)
     * defines a class from a jar at run time.
     */
    private static void loadClassPathForTraining() {
        ClassLoader loader = InitMain.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.endsWith(".jar")) continue;
            try (JarFile jar = new JarFile(entry)) {
                for (var e : Collections.list(jar.entries())) {
                    String name = e.getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) continue;
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    } catch (ClassNotFoundException | LinkageError skipped) {
                        // a class that needs what is not there (an optional dependency of JNA's): not in the cache
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Set by {@link io.jcontainerd.runtime.container.InitCommand} when it gives this JVM the AOT cache. */
    public static final String CACHED_PROPERTY = "jrunc.init.cached";

    /**
     * Whether every class of the class path comes from the AOT cache (the training loaded them all): the cache was
     * given and the JVM maps it ("sharing": a cache the JVM rejects, e.g. built by another JDK, leaves it without).
     */
    private static boolean classPathCached() {
        return Boolean.getBoolean(CACHED_PROPERTY) && System.getProperty("java.vm.info", "").contains("sharing");
    }

    /**
     * Without an AOT cache that holds them all (see {@link #classPathCached}), opens jrunc.jar and JNA's jar (the
     * class loader keeps them open) while their paths still resolve: a class the AOT cache does not hold is defined
     * from them (session 9's cache held only what the training ran; a path it did not take, sysctl, failed), and
     * after pivot_root they are out of reach (before, "jrunc init: io/jcontainerd/runtime/spec/SysctlPolicy" and
     * no container: NoClassDefFoundError). Looking up a resource that no jar holds makes the class path open
     * every entry; its package is in no module, so only the class path is searched. The JDK's logging start used
     * to open them as a side effect (its LoggerFinder lookup, see linux.JnaLogManager).
     */
    private static void openClassPath() {
        InitMain.class.getClassLoader().getResource("io/jcontainerd/runtime/init/class-path-opened-before-pivot-root");
    }
}
