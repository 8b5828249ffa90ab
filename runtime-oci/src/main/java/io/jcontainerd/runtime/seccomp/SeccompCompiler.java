package io.jcontainerd.runtime.seccomp;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles an OCI seccomp profile into a classic BPF program (struct sock_filter[], x86_64 only),
 * done by the jrunc command so the init stage only installs bytes. Layout: check the arch, load the
 * syscall number, then one block per (rule, syscall) in profile order (first match wins), then the
 * default action. Argument blocks reload the number when they fail, so the accumulator holds it at
 * every block boundary and all jumps stay local (BPF conditional jumps reach 255 instructions).
 */
public final class SeccompCompiler {
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int MAX_INSTRUCTIONS = 4096;

    private static final short LD_W_ABS = 0x20, JEQ = 0x15, JGT = 0x25, JGE = 0x35, RET = 0x06, AND = 0x54;
    private static final Map<String, Integer> SYSCALLS = loadTable();

    private SeccompCompiler() {}

    /** One instruction; jt/jf are either final offsets or labels resolved by {@link Program#bytes()}. */
    private record Insn(short code, int jt, int jf, int k, String jtLabel, String jfLabel) {}

    private static final class Program {
        final List<Insn> insns = new ArrayList<>();
        final Map<String, Integer> labels = new HashMap<>();

        void add(short code, int k) { insns.add(new Insn(code, 0, 0, k, null, null)); }
        void jump(short code, int k, String jt, String jf) { insns.add(new Insn(code, 0, 0, k, jt, jf)); }
        void label(String name) { labels.put(name, insns.size()); }

        byte[] bytes() {
            if (insns.size() > MAX_INSTRUCTIONS) {
                throw JruncException.invalidArgument("config.json: linux.seccomp compiles to %d BPF instructions, more than the kernel's %d", insns.size(), MAX_INSTRUCTIONS);
            }
            ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < insns.size(); i++) {
                Insn in = insns.get(i);
                b.putShort(in.code()).put((byte) offset(i, in.jtLabel(), in.jt())).put((byte) offset(i, in.jfLabel(), in.jf())).putInt(in.k());
            }
            return b.array();
        }

        private int offset(int at, String label, int fixed) {
            if (label == null) return fixed;
            int off = labels.get(label) - at - 1;
            if (off < 0 || off > 255) throw new IllegalStateException("BPF jump out of range: " + off);
            return off;
        }
    }

    public static byte[] compile(Seccomp profile) {
        int defaultAction = action(profile.defaultAction(), profile.defaultErrnoRet(), "defaultAction");
        for (String arch : profile.architectures()) {
            if (!arch.equals("SCMP_ARCH_X86_64") && !arch.equals("SCMP_ARCH_X86") && !arch.equals("SCMP_ARCH_X32")) {
                throw JruncException.invalidArgument("config.json: linux.seccomp architecture %s is not supported (x86_64 only)", arch);
            }
        }
        // Other ABIs (i386 via int 0x80, x32) use other numbers: never let them bypass a deny rule.
        int foreign = allows(defaultAction) ? 0x80000000 /* KILL_PROCESS */ : defaultAction;
        Program p = new Program();
        p.add(LD_W_ABS, 4);
        p.jump(JEQ, AUDIT_ARCH_X86_64, "native", "foreign");
        p.label("foreign");
        p.add(RET, foreign);
        p.label("native");
        p.add(LD_W_ABS, 0);
        p.jump(JGE, X32_SYSCALL_BIT, "foreign2", "rules");
        p.label("foreign2");
        p.add(RET, foreign);
        p.label("rules");
        int block = 0;
        for (Seccomp.Syscall rule : profile.syscalls()) {
            int act = action(rule.action(), rule.errnoRet(), "syscalls " + rule.names());
            for (String name : rule.names()) {
                Integer nr = SYSCALLS.get(name);
                if (nr == null) continue; // like runc: names this architecture does not have are skipped
                String next = "b" + (block++);
                if (rule.args().isEmpty()) {
                    p.insns.add(new Insn(JEQ, 0, 1, nr, null, null));
                    p.add(RET, act);
                    p.label(next);
                    continue;
                }
                String fail = next + "f";
                p.jump(JEQ, nr, "x" + next, next);
                p.label("x" + next);
                int c = 0;
                for (Seccomp.Arg a : rule.args()) argCheck(p, a, fail, next + "p" + (c++));
                p.add(RET, act);
                p.label(fail);
                p.add(LD_W_ABS, 0);
                p.label(next);
            }
        }
        p.add(RET, defaultAction);
        return p.bytes();
    }

    private static void argCheck(Program p, Seccomp.Arg a, String fail, String pass) {
        if (a.index() < 0 || a.index() > 5) throw JruncException.invalidArgument("config.json: linux.seccomp arg index %d is not 0-5", a.index());
        int lo = 16 + 8 * a.index(), hi = lo + 4;
        long v = value(a.value()), v2 = value(a.valueTwo());
        int vHi = (int) (v >>> 32), vLo = (int) v;
        switch (a.op()) {
            case "SCMP_CMP_EQ" -> {
                p.add(LD_W_ABS, hi); p.jump(JEQ, vHi, pass + "h", fail); p.label(pass + "h");
                p.add(LD_W_ABS, lo); p.jump(JEQ, vLo, pass, fail);
            }
            case "SCMP_CMP_NE" -> {
                p.add(LD_W_ABS, hi); p.jump(JEQ, vHi, pass + "h", pass); p.label(pass + "h");
                p.add(LD_W_ABS, lo); p.jump(JEQ, vLo, fail, pass);
            }
            case "SCMP_CMP_MASKED_EQ" -> {
                p.add(LD_W_ABS, hi); p.add(AND, (int) (v >>> 32)); p.jump(JEQ, (int) (v2 >>> 32), pass + "h", fail); p.label(pass + "h");
                p.add(LD_W_ABS, lo); p.add(AND, (int) v); p.jump(JEQ, (int) v2, pass, fail);
            }
            case "SCMP_CMP_GT", "SCMP_CMP_GE" -> {
                p.add(LD_W_ABS, hi); p.jump(JGT, vHi, pass, pass + "h"); p.label(pass + "h");
                p.jump(JEQ, vHi, pass + "e", fail); p.label(pass + "e");
                p.add(LD_W_ABS, lo); p.jump(a.op().equals("SCMP_CMP_GT") ? JGT : JGE, vLo, pass, fail);
            }
            case "SCMP_CMP_LT", "SCMP_CMP_LE" -> {
                p.add(LD_W_ABS, hi); p.jump(JGT, vHi, fail, pass + "h"); p.label(pass + "h");
                p.jump(JEQ, vHi, pass + "e", pass); p.label(pass + "e");
                p.add(LD_W_ABS, lo); p.jump(a.op().equals("SCMP_CMP_LT") ? JGE : JGT, vLo, fail, pass);
            }
            default -> throw JruncException.invalidArgument("config.json: linux.seccomp arg op %s is unknown", a.op());
        }
        p.label(pass);
    }

    private static long value(BigInteger b) { return b == null ? 0 : b.longValue(); }

    static boolean allows(int action) { return action == 0x7fff0000 || action == 0x7ffc0000; }

    static int action(String name, Integer errno, String field) {
        if (name == null) throw JruncException.invalidArgument("config.json: linux.seccomp %s has no action", field);
        int e = errno == null ? 1 /* EPERM, runc's default */ : errno;
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> 0x00000000;
            case "SCMP_ACT_KILL_PROCESS" -> 0x80000000;
            case "SCMP_ACT_TRAP" -> 0x00030000;
            case "SCMP_ACT_ERRNO" -> 0x00050000 | (e & 0xffff);
            case "SCMP_ACT_TRACE" -> 0x7ff00000 | (e & 0xffff);
            case "SCMP_ACT_LOG" -> 0x7ffc0000;
            case "SCMP_ACT_ALLOW" -> 0x7fff0000;
            default -> throw JruncException.invalidArgument("config.json: linux.seccomp %s action %s is not supported", field, name);
        };
    }

    private static Map<String, Integer> loadTable() {
        Map<String, Integer> m = new HashMap<>();
        try (InputStream in = SeccompCompiler.class.getResourceAsStream("/io/jcontainerd/runtime/seccomp/syscalls-x86_64.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) m.put(f[0], Integer.parseInt(f[1]));
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("syscall table missing from the jrunc jar", e);
        }
        return m;
    }

    static Integer syscallNumber(String name) { return SYSCALLS.get(name); }
}
