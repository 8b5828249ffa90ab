package io.jcontainerd.runtime.seccomp;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Seccomp;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the compiled filter through a small classic-BPF interpreter, the way the kernel would. */
class SeccompCompilerTest {
    static final int ALLOW = 0x7fff0000, EPERM = 0x00050001;

    static int run(byte[] prog, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.LITTLE_ENDIAN);
        int a = 0, pc = 0;
        while (true) {
            short code = p.getShort(pc * 8);
            int jt = p.get(pc * 8 + 2) & 0xff, jf = p.get(pc * 8 + 3) & 0xff, k = p.getInt(pc * 8 + 4);
            pc++;
            switch (code) {
                case 0x20 -> a = data.getInt(k);
                case 0x54 -> a &= k;
                case 0x06 -> { return k; }
                case 0x15 -> pc += a == k ? jt : jf;
                case 0x25 -> pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;
                case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                default -> throw new AssertionError("unknown BPF opcode " + code);
            }
        }
    }

    static Seccomp.Arg arg(int index, long value, String op) { return new Seccomp.Arg(index, BigInteger.valueOf(value), null, op); }

    static final int X86_64 = SeccompCompiler.AUDIT_ARCH_X86_64;
    static final int MKDIR = SeccompCompiler.syscallNumber("mkdir"), KILL = SeccompCompiler.syscallNumber("kill"),
            PERSONALITY = SeccompCompiler.syscallNumber("personality"), READ = SeccompCompiler.syscallNumber("read");

    @Test
    void denyListProfileReturnsErrnoForListedCallsAndAllowsTheRest() {
        Seccomp s = new Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), null,
                List.of(new Seccomp.Syscall(List.of("mkdir", "mkdirat", "no_such_call"), "SCMP_ACT_ERRNO", 1, null)));
        byte[] prog = SeccompCompiler.compile(s);
        assertThat(run(prog, X86_64, MKDIR)).isEqualTo(EPERM);
        assertThat(run(prog, X86_64, READ)).isEqualTo(ALLOW);
        assertThat(run(prog, 0x40000003 /* i386 */, MKDIR)).as("other ABIs cannot bypass").isEqualTo(0x80000000);
        assertThat(run(prog, X86_64, MKDIR | 0x40000000)).as("x32 numbers cannot bypass").isEqualTo(0x80000000);
    }

    @Test
    void allowListProfileWithArgumentConditions() {
        Seccomp s = new Seccomp("SCMP_ACT_ERRNO", 38, List.of(), null, List.of(
                new Seccomp.Syscall(List.of("read"), "SCMP_ACT_ALLOW", null, null),
                new Seccomp.Syscall(List.of("personality"), "SCMP_ACT_ALLOW", null, List.of(arg(0, 0xffffffffL, "SCMP_CMP_EQ"))),
                new Seccomp.Syscall(List.of("kill"), "SCMP_ACT_ALLOW", null, List.of(arg(1, 10, "SCMP_CMP_LT"), arg(0, 0, "SCMP_CMP_NE")))));
        byte[] prog = SeccompCompiler.compile(s);
        int enosys = 0x00050000 | 38;
        assertThat(run(prog, X86_64, READ)).isEqualTo(ALLOW);
        assertThat(run(prog, X86_64, PERSONALITY, 0xffffffffL)).isEqualTo(ALLOW);
        assertThat(run(prog, X86_64, PERSONALITY, 8)).isEqualTo(enosys);
        assertThat(run(prog, X86_64, PERSONALITY, 0x1_ffffffffL)).as("high word compared too").isEqualTo(enosys);
        assertThat(run(prog, X86_64, KILL, 5, 9)).isEqualTo(ALLOW);
        assertThat(run(prog, X86_64, KILL, 5, 10)).isEqualTo(enosys);
        assertThat(run(prog, X86_64, KILL, 0, 9)).isEqualTo(enosys);
        assertThat(run(prog, X86_64, MKDIR)).isEqualTo(enosys);
    }

    @Test
    void maskedEqualityAndGreaterThan() {
        Seccomp.Arg masked = new Seccomp.Arg(0, BigInteger.valueOf(0x7e020000L), BigInteger.ZERO, "SCMP_CMP_MASKED_EQ");
        Seccomp s = new Seccomp("SCMP_ACT_ALLOW", null, List.of(), null, List.of(
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ERRNO", null, List.of(masked)) ,
                new Seccomp.Syscall(List.of("kill"), "SCMP_ACT_KILL_PROCESS", null, List.of(arg(1, 0x1_00000000L, "SCMP_CMP_GE")))));
        byte[] prog = SeccompCompiler.compile(s);
        int clone = SeccompCompiler.syscallNumber("clone");
        assertThat(run(prog, X86_64, clone, 0x11)).as("no namespace flags").isEqualTo(EPERM);
        assertThat(run(prog, X86_64, clone, 0x10000000L | 0x11)).as("CLONE_NEWUSER is masked in").isEqualTo(ALLOW);
        assertThat(run(prog, X86_64, KILL, 1, 0x1_00000000L)).isEqualTo(0x80000000);
        assertThat(run(prog, X86_64, KILL, 1, 0xffffffffL)).isEqualTo(ALLOW);
    }

    @Test
    void refusesUnknownActionsAndArchitectures() {
        assertThatThrownBy(() -> SeccompCompiler.compile(new Seccomp("SCMP_ACT_NOTIFY", null, List.of(), null, List.of())))
                .isInstanceOf(JruncException.class).hasMessageContaining("SCMP_ACT_NOTIFY");
        assertThatThrownBy(() -> SeccompCompiler.compile(new Seccomp("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_AARCH64"), null, List.of())))
                .hasMessageContaining("SCMP_ARCH_AARCH64");
    }
}
