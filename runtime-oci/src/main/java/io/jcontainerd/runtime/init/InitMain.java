package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.linux.JnaSyscalls;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.SyscallException;

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
        openClassPath();
        // the AOT training starts no spare: load the spare's hand-over classes anyway, so that a spare finds them
        // in the cache instead of opening jrunc.jar to define them (neither runs anything when loaded)
        if (Boolean.getBoolean("jrunc.train")) loadForTraining(SpareHandOver.class, NamespaceJoin.class);
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
                        System.exit(0);
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

    private static void loadForTraining(Class<?>... classes) {
        for (Class<?> c : classes) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Opens jrunc.jar and JNA's jar (the class loader keeps them open) while their paths still resolve: a class
     * the AOT cache does not hold (a path no training run takes: sysctl, most errors) is defined from them, and
     * after pivot_root they are out of reach (before, "jrunc init: io/jcontainerd/runtime/spec/SysctlPolicy" and
     * no container: NoClassDefFoundError). Looking up a resource that no jar holds makes the class path open
     * every entry; its package is in no module, so only the class path is searched. The JDK's logging start used
     * to open them as a side effect (its LoggerFinder lookup, see linux.JnaLogManager).
     */
    private static void openClassPath() {
        InitMain.class.getClassLoader().getResource("io/jcontainerd/runtime/init/class-path-opened-before-pivot-root");
    }
}
