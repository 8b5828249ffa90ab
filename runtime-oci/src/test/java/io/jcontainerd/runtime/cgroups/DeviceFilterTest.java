package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Resources.DeviceRule;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compiled programs, run by a small eBPF interpreter over the instructions they use, against cgroup v1's semantics. */
class DeviceFilterTest {
    static final int CHAR = 2, BLOCK = 1, M = 1, R = 2, W = 4;

    /** What the kernel's BPF_PROG_TYPE_CGROUP_DEVICE hook would decide for this program and request. */
    static boolean allows(byte[] program, int type, int access, long major, long minor) {
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        int[] ctx = {(access << 16) | type, (int) major, (int) minor};
        long[] reg = new long[11];
        boolean r1IsCtx = true;
        int pc = 0;
        for (int steps = 0; steps < 4096; steps++) {
            int code = p.get(pc * 8) & 0xff, regs = p.get(pc * 8 + 1) & 0xff, dst = regs & 0xf, src = regs >> 4;
            short off = p.getShort(pc * 8 + 2);
            int imm = p.getInt(pc * 8 + 4);
            pc++;
            switch (code) {
                case 0x61 -> {
                    assertThat(src == 1 && r1IsCtx).as("loads only from the context").isTrue();
                    reg[dst] = ctx[off / 4] & 0xFFFF_FFFFL;
                }
                case 0x54 -> reg[dst] = (reg[dst] & imm) & 0xFFFF_FFFFL;
                case 0x74 -> reg[dst] = (reg[dst] & 0xFFFF_FFFFL) >>> imm;
                case 0xbc -> reg[dst] = reg[src] & 0xFFFF_FFFFL;
                case 0xb4 -> reg[dst] = imm & 0xFFFF_FFFFL;
                case 0x56 -> { if ((int) reg[dst] != imm) pc += off; }
                case 0x5e -> { if ((int) reg[dst] != (int) reg[src]) pc += off; }
                case 0x16 -> { if ((int) reg[dst] == imm) pc += off; }
                case 0x95 -> { return reg[0] == 1; }
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(code));
            }
            if (dst == 1 && code != 0x56 && code != 0x5e && code != 0x16) r1IsCtx = false;
        }
        throw new AssertionError("the program did not exit");
    }

    static DeviceRule rule(boolean allow, String type, Long major, Long minor, String access) {
        return new DeviceRule(allow, type, major, minor, access);
    }

    static final DeviceRule DENY_ALL = rule(false, "a", null, null, "rwm");

    @Test
    void denyAllThenRuncsAllowListLikeEveryContainerGets() {
        byte[] p = DeviceFilter.compile(List.of(DENY_ALL));
        assertThat(allows(p, CHAR, R, 1, 3)).as("/dev/null read").isTrue();
        assertThat(allows(p, CHAR, R | W, 1, 3)).as("/dev/null rw").isTrue();
        assertThat(allows(p, CHAR, W, 136, 4)).as("a pty: any minor").isTrue();
        assertThat(allows(p, CHAR, R, 240, 0)).as("anything else").isFalse();
        assertThat(allows(p, CHAR, M, 240, 0)).as("c *:* m").isTrue();
        assertThat(allows(p, BLOCK, M, 8, 0)).as("b *:* m").isTrue();
        assertThat(allows(p, BLOCK, R, 8, 0)).isFalse();
    }

    @Test
    void anAllowRuleMustHoldEveryRequestedAccessBit() {
        byte[] p = DeviceFilter.compile(List.of(DENY_ALL, rule(true, "c", 240L, null, "r")));
        assertThat(allows(p, CHAR, R, 240, 0)).isTrue();
        assertThat(allows(p, CHAR, R, 240, 77)).isTrue();
        assertThat(allows(p, CHAR, W, 240, 0)).isFalse();
        assertThat(allows(p, CHAR, R | W, 240, 0)).isFalse();
        assertThat(allows(p, CHAR, R, 241, 0)).isFalse();
        assertThat(allows(p, BLOCK, R, 240, 0)).as("the type counts").isFalse();
    }

    @Test
    void withEverythingAllowedADenyRuleMatchesAnyOfItsAccessBits() {
        byte[] p = DeviceFilter.compile(List.of(rule(true, "a", null, null, null), rule(false, "c", 240L, 0L, "w")));
        assertThat(allows(p, CHAR, R, 240, 0)).isTrue();
        assertThat(allows(p, CHAR, W, 240, 0)).isFalse();
        assertThat(allows(p, CHAR, R | W, 240, 0)).as("v1's partial match").isFalse();
        assertThat(allows(p, CHAR, W, 240, 1)).isTrue();
        assertThat(allows(p, BLOCK, R | W, 8, 0)).isTrue();
    }

    @Test
    void laterRulesTakeAccessAwayOrStartOverAsInCgroupV1() {
        byte[] narrowed = DeviceFilter.compile(List.of(DENY_ALL, rule(true, "c", 240L, 0L, "rwm"), rule(false, "c", 240L, 0L, "w")));
        assertThat(allows(narrowed, CHAR, R, 240, 0)).isTrue();
        assertThat(allows(narrowed, CHAR, W, 240, 0)).isFalse();
        byte[] reset = DeviceFilter.compile(List.of(rule(true, "c", 240L, 0L, "rwm"), DENY_ALL));
        assertThat(allows(reset, CHAR, R, 240, 0)).isFalse();
        byte[] merged = DeviceFilter.compile(List.of(DENY_ALL, rule(true, "c", 240L, 0L, "r"), rule(true, "c", 240L, 0L, "w")));
        assertThat(allows(merged, CHAR, R | W, 240, 0)).as("access merged into one exception").isTrue();
        assertThat(DeviceRules.evaluate(List.of(DENY_ALL, rule(true, "c", 240L, 0L, "r"), rule(true, "c", 240L, 0L, "w"))).exceptions())
                .containsExactly(new DeviceRules.Exception('c', 240, 0, R | W));
    }

    @Test
    void runcsAllowListComesLastAndTakesBackADenyOfExactlyItsRule() {
        byte[] p = DeviceFilter.compile(List.of(rule(true, "a", null, null, null), rule(false, "b", null, null, "m"), rule(false, "b", 7L, null, "m")));
        assertThat(allows(p, BLOCK, M, 8, 0)).as("b *:* m is on the allow-list").isTrue();
        assertThat(allows(p, BLOCK, M, 7, 9)).isFalse();
    }

    @Test
    void noRulesAllowEverything() {
        byte[] p = DeviceFilter.compile(List.of());
        assertThat(allows(p, BLOCK, R | W | M, 8, 0)).isTrue();
        assertThat(p).as("the context loads and the default; the allow-list adds nothing to allow-all").hasSize(8 * 8);
    }

    @Test
    void refusesRulesCgroupV1WouldRefuse() {
        assertThatThrownBy(() -> DeviceFilter.compile(List.of(rule(true, "x", 1L, 1L, "r"))))
                .isInstanceOf(JruncException.class).hasMessage("linux.resources.devices: type x is not one of a, b, c");
        assertThatThrownBy(() -> DeviceFilter.compile(List.of(rule(true, "c", 1L, 1L, "rx"))))
                .hasMessage("linux.resources.devices: access rx has x; use r, w and m");
        assertThatThrownBy(() -> DeviceFilter.compile(List.of(rule(true, "c", 1L << 33, 1L, "r"))))
                .hasMessage("linux.resources.devices: major 8589934592 does not fit in 32 bits");
    }

    @Test
    void formatsRulesForCgroupV1() {
        assertThat(DeviceRules.v1(rule(true, "c", 136L, -1L, null))).isEqualTo("c 136:* rwm");
        assertThat(DeviceRules.v1(DENY_ALL)).isEqualTo("a");
    }
}
