package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.spec.Resources.DeviceRule;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles device rules into a BPF_PROG_TYPE_CGROUP_DEVICE program, cgroup v2's replacement for v1's
 * devices.allow/deny. The kernel runs it on every open and mknod of a device node by a process in
 * the cgroup, with a struct bpf_cgroup_dev_ctx { u32 access_type (access &lt;&lt; 16 | type); u32 major;
 * u32 minor; }, and allows the operation when it returns 1. The program tests the exceptions of
 * {@link DeviceRules#evaluate} one block each, then returns the default:
 * <ul>
 *   <li>default deny: an exception allows a request whose access bits it holds all of (v1's match_exception);</li>
 *   <li>default allow: an exception denies a request that asks for any of its access bits (v1's partial match).</li>
 * </ul>
 */
public final class DeviceFilter {
    public static final String LICENSE = "Apache";
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2;
    // opcodes: class | op | source
    private static final int LDX_MEM_W = 0x61, ALU32_AND_K = 0x54, ALU32_RSH_K = 0x74, ALU32_MOV_X = 0xbc,
            ALU32_MOV_K = 0xb4, JMP32_JNE_K = 0x56, JMP32_JNE_X = 0x5e, JMP32_JEQ_K = 0x16, EXIT = 0x95;
    private static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

    private DeviceFilter() {}

    /** One instruction; jump offsets are filled in once the block's length is known. */
    private record Insn(int code, int dst, int src, int off, int imm) {}

    /** The program for rules (runc's allow-list appended) as bytes: 8 per instruction, the kernel's struct bpf_insn. */
    public static byte[] compile(List<DeviceRule> rules) {
        List<DeviceRule> all = new ArrayList<>(rules);
        all.addAll(DeviceRules.DEFAULTS);
        return compile(DeviceRules.evaluate(all));
    }

    static byte[] compile(DeviceRules.Effective rules) {
        List<Insn> p = new ArrayList<>(List.of(
                new Insn(LDX_MEM_W, R2, R1, 0, 0), new Insn(ALU32_AND_K, R2, 0, 0, 0xFFFF), // r2 = type
                new Insn(LDX_MEM_W, R3, R1, 0, 0), new Insn(ALU32_RSH_K, R3, 0, 0, 16),     // r3 = access
                new Insn(LDX_MEM_W, R4, R1, 4, 0),                                           // r4 = major
                new Insn(LDX_MEM_W, R5, R1, 8, 0)));                                         // r5 = minor
        for (DeviceRules.Exception e : rules.exceptions()) p.addAll(block(e, !rules.defaultAllow()));
        p.add(new Insn(ALU32_MOV_K, R0, 0, 0, rules.defaultAllow() ? 1 : 0));
        p.add(new Insn(EXIT, 0, 0, 0, 0));
        ByteBuffer out = ByteBuffer.allocate(8 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (Insn i : p) {
            out.put((byte) i.code()).put((byte) ((i.src() << 4) | i.dst())).putShort((short) i.off()).putInt(i.imm());
        }
        return out.array();
    }

    /** Tests one exception; every "no match" jumps past the block (offset -1 until it is known). */
    private static List<Insn> block(DeviceRules.Exception e, boolean allows) {
        List<Insn> b = new ArrayList<>();
        b.add(new Insn(JMP32_JNE_K, R2, 0, -1, e.type() == 'c' ? DEV_CHAR : DEV_BLOCK));
        if (e.access() != DeviceRules.ALL) {
            b.add(new Insn(ALU32_MOV_X, R1, R3, 0, 0));
            b.add(new Insn(ALU32_AND_K, R1, 0, 0, e.access()));
            // allow-exception: every requested bit must be in it; deny-exception: any requested bit in it
            b.add(allows ? new Insn(JMP32_JNE_X, R1, R3, -1, 0) : new Insn(JMP32_JEQ_K, R1, 0, -1, 0));
        }
        if (e.major() >= 0) b.add(new Insn(JMP32_JNE_K, R4, 0, -1, (int) e.major()));
        if (e.minor() >= 0) b.add(new Insn(JMP32_JNE_K, R5, 0, -1, (int) e.minor()));
        b.add(new Insn(ALU32_MOV_K, R0, 0, 0, allows ? 1 : 0));
        b.add(new Insn(EXIT, 0, 0, 0, 0));
        List<Insn> fixed = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            Insn x = b.get(i);
            fixed.add(x.off() == -1 ? new Insn(x.code(), x.dst(), x.src(), b.size() - i - 1, x.imm()) : x);
        }
        return fixed;
    }
}
