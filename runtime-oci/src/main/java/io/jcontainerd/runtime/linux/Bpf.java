package io.jcontainerd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** bpf(2) for cgroup device programs: union bpf_attr laid out by hand (x86_64), zeroed past the fields used. */
final class Bpf {
    private static final int PROG_LOAD = 5, PROG_ATTACH = 8, PROG_DETACH = 9, PROG_GET_FD_BY_ID = 13, PROG_QUERY = 16;
    private static final int PROG_TYPE_CGROUP_DEVICE = 15, ATTACH_CGROUP_DEVICE = 6, F_ALLOW_MULTI = 2;
    private static final int ATTR_SIZE = 144, LOG_SIZE = 64 * 1024, MAX_PROGRAMS = 64;

    private Bpf() {}

    private static long call(int cmd, Memory attr) {
        return LibC.INSTANCE.syscall(LibC.SYS_BPF, cmd, Pointer.nativeValue(attr), ATTR_SIZE, 0, 0);
    }

    private static Memory attr() {
        Memory m = new Memory(ATTR_SIZE);
        m.clear();
        return m;
    }

    static int loadDeviceProgram(byte[] insns, String license) {
        Memory code = new Memory(insns.length);
        code.write(0, insns, 0, insns.length);
        Memory lic = JnaSyscalls.cstring(license);
        Memory a = attr();
        a.setInt(0, PROG_TYPE_CGROUP_DEVICE);
        a.setInt(4, insns.length / 8);
        a.setLong(8, Pointer.nativeValue(code));
        a.setLong(16, Pointer.nativeValue(lic));
        byte[] name = "jrunc_devices".getBytes(StandardCharsets.US_ASCII);
        a.write(48, name, 0, name.length);
        long fd = call(PROG_LOAD, a);
        if (fd >= 0) return (int) fd;
        int errno = Native.getLastError();
        // load again with the verifier's log, only to say why
        Memory log = new Memory(LOG_SIZE);
        log.clear();
        a.setInt(24, 1);
        a.setInt(28, LOG_SIZE);
        a.setLong(32, Pointer.nativeValue(log));
        call(PROG_LOAD, a);
        String why = log.getString(0, "US-ASCII").strip().replace('\n', ' ');
        throw new SyscallException("bpf(BPF_PROG_LOAD)", "device program of " + insns.length / 8 + " instructions"
                + (why.isEmpty() ? "" : " (verifier: " + why + ")"), errno);
    }

    static void attach(int cgroupFd, int programFd, boolean attach) {
        Memory a = attr();
        a.setInt(0, cgroupFd);
        a.setInt(4, programFd);
        a.setInt(8, ATTACH_CGROUP_DEVICE);
        if (attach) a.setInt(12, F_ALLOW_MULTI);
        if (call(attach ? PROG_ATTACH : PROG_DETACH, a) < 0) {
            throw new SyscallException(attach ? "bpf(BPF_PROG_ATTACH)" : "bpf(BPF_PROG_DETACH)", "device program to cgroup fd " + cgroupFd, Native.getLastError());
        }
    }

    static List<Integer> query(int cgroupFd) {
        Memory ids = new Memory(4L * MAX_PROGRAMS);
        Memory a = attr();
        a.setInt(0, cgroupFd);
        a.setInt(4, ATTACH_CGROUP_DEVICE);
        a.setLong(16, Pointer.nativeValue(ids));
        a.setInt(24, MAX_PROGRAMS);
        if (call(PROG_QUERY, a) < 0) throw new SyscallException("bpf(BPF_PROG_QUERY)", "device programs of cgroup fd " + cgroupFd, Native.getLastError());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < a.getInt(24); i++) out.add(ids.getInt(4L * i));
        return out;
    }

    static int programById(int id) {
        Memory a = attr();
        a.setInt(0, id);
        long fd = call(PROG_GET_FD_BY_ID, a);
        if (fd < 0) throw new SyscallException("bpf(BPF_PROG_GET_FD_BY_ID)", "program " + id, Native.getLastError());
        return (int) fd;
    }
}
