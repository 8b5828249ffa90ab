package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.jcontainerd.runtime.spec.MountOptions.*;

/**
 * The mount namespace every init stage is born in (CVE-2016-9962's class): its root is a read-only
 * tmpfs holding only what the init JVM runs from, each a read-only bind mount at its host path: the
 * JDK, jrunc's jar directory (jars, JNA's native stub, the AOT cache) and the system libraries the
 * JDK links (those this JVM has mapped, and the ELF interpreter), and /proc/self/exe as a symlink to
 * bin/java (the dynamic loader finds libjli.so through it), and the init JVM's argument file
 * ({@link InitCommand#ARG_FILE}). No procfs, /dev, /etc, /tmp, nothing
 * writable. An exec's init JVM is born in the container's pid namespace and boots there for tens of
 * milliseconds before its exec thread joins the container's mount namespace: a container process
 * with CAP_SYS_PTRACE that opens /proc/&lt;pid&gt;/root or /cwd of it (or of any of its threads) finds
 * this jail, never the host's root. runc's C nsexec joins the mount namespace before the process that
 * becomes visible exists; a JVM cannot run code before it boots, so it boots in here.
 *
 * <p>Built once per process and init command (see {@link #prepare} for its cost), kept by an open fd;
 * each spawn is then one setns. The thread that builds it is the only one ever inside it with the
 * host's root, and it ends right after. Mounts in it are private: the host's later mounts do not
 * propagate in.
 */
final class LaunchJail {
    /** x86_64's ELF interpreter, named in bin/java (jrunc is x86_64 only: seccomp, struct layouts). */
    static final String INTERPRETER = "/lib64/ld-linux-x86-64.so.2";
    /** Where the jail's tmpfs is put together: a directory no source of its bind mounts lies under. */
    private static final String TOP = "/proc";
    private static final int MAX_SYMLINKS = 40;
    private static final ConcurrentHashMap<InitCommand, Integer> JAILS = new ConcurrentHashMap<>();

    private final Syscalls sys;
    /** Host paths bound in already (the interpreter is also among the mapped libraries). */
    private final Set<String> bound = new java.util.HashSet<>();

    LaunchJail(Syscalls sys) {
        this.sys = sys;
    }

    /** The jail's mount namespace fd for init stages of {@code command}, built on first use, open for the life of this process. */
    static int fd(Syscalls sys, InitCommand command) {
        return JAILS.computeIfAbsent(command, c -> {
            List<String> libraries = systemLibraries(c);
            return InitLauncher.onOwnThread("build the init stage's jail mount namespace", () -> new LaunchJail(sys).build(c, libraries));
        });
    }

    /**
     * Starts building the jail for {@code command} in the background (a command-line jrunc pays for it
     * once per process: 9-32 ms measured at load 16, /proc/self/maps included, overlapping the reading of
     * the state and the plan); {@link #fd} waits for it. Errors are left for {@link #fd} to report.
     */
    static void prepare(Syscalls sys, InitCommand command) {
        if (JAILS.containsKey(command)) return;
        Thread.ofPlatform().daemon().name("jrunc-jail").start(() -> {
            try {
                fd(sys, command);
            } catch (RuntimeException e) {
                // fd() tries again for the spawn and reports it there
            }
        });
    }

    /** On a thread of its own (its mount namespace and fs_struct die with it); returns the namespace's fd. */
    private int build(InitCommand command, List<String> libraries) {
        sys.unshare(LinuxConstants.CLONE_NEWNS);
        sys.mount("", "/", "", MS_PRIVATE | MS_REC, null);
        int ns = sys.open("/proc/thread-self/ns/mnt", LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC);
        try {
            sys.mount("tmpfs", TOP, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k,nr_inodes=1024");
            for (Path dir : command.readOnlyDirs()) expose(dir.toString(), true);
            for (String lib : libraries) expose(lib, true);
            expose(INTERPRETER, true);
            // the one /proc entry: the dynamic loader resolves bin/java's $ORIGIN (libjli.so) through it
            sys.mkdirs(TOP + "/proc/self", 0555);
            sys.symlink(command.javaHome().resolve("bin/java").toString(), TOP + "/proc/self/exe");
            // AOT training only (bin/jrunc-aot-train): the init JVM writes the classes it loaded there at exit
            String record = System.getenv(InitCommand.AOT_RECORD_ENV);
            if (record != null) expose(Path.of(record).getParent().toString(), false);
            // the init JVM's options, class path and main class, so that its command line is `java @/jrunc-init.args <fd>`
            // (the jail has no procfs: a /proc/self/fd argument file would not resolve in here)
            sys.createFile(TOP + InitCommand.ARG_FILE, 0444);
            sys.writeFile(TOP + InitCommand.ARG_FILE, command.argFile());
            sys.mount("", TOP, "", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, null);
            // as the init stage leaves the host: pivot_root(".", ".") stacks the old root on the new one, then detach it
            sys.chdir(TOP);
            sys.pivotRoot(".", ".");
            sys.umount2(".", LinuxConstants.MNT_DETACH);
            sys.chdir("/");
            return ns;
        } catch (RuntimeException e) {
            sys.close(ns);
            throw e;
        }
    }

    /**
     * Makes host path {@code path} resolve in the jail as on the host: its symlinks are copied, its
     * directories made, and the directory or file it names bind-mounted (read-only unless {@code readOnly}
     * is false: only the AOT training's record directory). A missing path is left out.
     */
    void expose(String path, boolean readOnly) {
        Deque<String> rest = components(path);
        String at = "";
        int links = 0;
        while (!rest.isEmpty()) {
            String name = rest.removeFirst();
            if (name.equals("..")) {
                at = at.isEmpty() ? "" : at.substring(0, at.lastIndexOf('/'));
                continue;
            }
            String host = at + "/" + name;
            String inJail = TOP + host;
            switch (sys.kind(host)) {
                case MISSING, OTHER -> {
                    return;
                }
                case SYMLINK -> {
                    if (++links > MAX_SYMLINKS) throw JruncException.system("too many symlinks in %s", path);
                    String target = sys.readlink(host);
                    if (sys.kind(inJail) == Syscalls.Kind.MISSING) sys.symlink(target, inJail);
                    Deque<String> next = components(target);
                    next.addAll(rest);
                    rest = next;
                    if (target.startsWith("/")) at = "";
                }
                case DIRECTORY -> {
                    if (rest.isEmpty()) {
                        bind(host, inJail, true, readOnly);
                        return;
                    }
                    if (sys.kind(inJail) == Syscalls.Kind.MISSING) sys.mkdirs(inJail, 0755);
                    at = host;
                }
                case FILE -> {
                    if (!rest.isEmpty()) return; // a file in the middle of a path: it cannot resolve on the host either
                    bind(host, inJail, false, readOnly);
                    return;
                }
            }
        }
    }

    private void bind(String host, String inJail, boolean directory, boolean readOnly) {
        if (!bound.add(host)) return;
        Syscalls.Kind there = sys.kind(inJail);
        if (there != Syscalls.Kind.MISSING && there != (directory ? Syscalls.Kind.DIRECTORY : Syscalls.Kind.FILE)) return;
        if (there == Syscalls.Kind.MISSING) {
            if (directory) sys.mkdirs(inJail, 0755);
            else sys.createFile(inJail, 0444);
        }
        sys.mount(host, inJail, "", MS_BIND | MS_REC, null);
        sys.mount("", inJail, "", MS_BIND | MS_REMOUNT | (readOnly ? MS_RDONLY : 0) | MS_NOSUID | MS_NODEV, null);
    }

    private static Deque<String> components(String path) {
        Deque<String> out = new ArrayDeque<>();
        for (String s : path.split("/")) if (!s.isEmpty() && !s.equals(".")) out.add(s);
        return out;
    }

    /**
     * The shared libraries this JVM has mapped from outside the init command's directories (libc, libm,
     * ...: what the same JDK links), as /proc/self/maps names them.
     */
    static List<String> systemLibraries(InitCommand command) {
        List<Path> ours = command.readOnlyDirs();
        Set<String> libs = new LinkedHashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw JruncException.system("cannot read /proc/self/maps to find the JDK's libraries: %s", e.getMessage());
        }
        for (String line : lines) {
            int slash = line.indexOf(" /");
            if (slash < 0 || line.endsWith(" (deleted)")) continue;
            String file = line.substring(slash + 1).trim();
            String name = file.substring(file.lastIndexOf('/') + 1);
            if (!name.endsWith(".so") && !name.contains(".so.")) continue;
            Path p = Path.of(file);
            if (ours.stream().noneMatch(p::startsWith)) libs.add(file);
        }
        return new ArrayList<>(libs);
    }
}
