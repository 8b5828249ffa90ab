package io.jcontainerd.snapshot.apply.tar;

import io.jcontainerd.snapshot.apply.TestLayer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Mutated layers (seeded: {@code -Djcd.fuzz.seed=N} replays a run) are read to the end or refused with a
 * {@link TarFormatException} that says why: never another exception, never a hang. Headers are
 * re-checksummed after most mutations so the fuzzing reaches past the checksum.
 */
class TarReaderFuzzTest {
    private static final long SEED = Long.getLong("jcd.fuzz.seed", 13);
    private static final Duration BUDGET = Duration.ofSeconds(3);
    private static final byte[] INTERESTING = {0, ' ', '\n', '=', '0', '7', '9', '-', '+', 'x', 'g', 'L', 'K', 'S', '5', (byte) 0x80, (byte) 0xff, 0x7f};

    @Test
    void everyMutationOfValidLayersIsReadOrIsATarFormatException() {
        List<byte[]> seeds = List.of(
                TestLayer.tar().dir("d/", 0755).file("d/a", "hello").symlink("d/s", "a").hardlink("d/h", "d/a").bytes(),
                TestLayer.tar().pax("mtime", "1700000000.5".getBytes(StandardCharsets.US_ASCII))
                        .xattr("security.capability", new byte[]{1, 0, 0, 2, (byte) 0xff}).file("cap", "x".repeat(700))
                        .entry("PaxHeaders/n", 'x', 0644, "19 path=renamed/to\n".getBytes(StandardCharsets.US_ASCII), "", 0, 0)
                        .file("n", "n").bytes(),
                TestLayer.tar().entry("././@LongLink", 'L', 0644, ("long/" + "n".repeat(150)).getBytes(StandardCharsets.UTF_8), "", 0, 0)
                        .file("short", "s").charDevice("tty", 4, 1, 0620).fifo("p", 0600)
                        .entry("pax_global_header", 'g', 0644, "22 comment=ignored me\n".getBytes(StandardCharsets.UTF_8), "", 0, 0)
                        .file("last", "l").bytes());
        int runs = assertTimeoutPreemptively(BUDGET.plusSeconds(20), () -> {
            Random r = new Random(SEED);
            long deadline = System.nanoTime() + BUDGET.toNanos();
            byte[] buf = new byte[8192];
            int n = 0;
            while (System.nanoTime() < deadline) {
                byte[] input = mutate(r, seeds.get(r.nextInt(seeds.size())));
                try {
                    TarReader reader = new TarReader(new ByteArrayInputStream(input));
                    for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                        assertThat(e.size()).isNotNegative();
                        while (reader.read(buf, 0, buf.length) >= 0) {
                            // content read to the end of the entry
                        }
                    }
                } catch (TarFormatException e) {
                    assertThat(e.getMessage()).isNotBlank();
                } catch (Throwable t) {
                    fail("seed " + SEED + " run " + n + ": " + t, t);
                }
                n++;
            }
            return n;
        });
        assertThat(runs).as("mutations tried in %s", BUDGET).isGreaterThan(1000);
    }

    static byte[] mutate(Random r, byte[] seed) {
        byte[] b = seed.clone();
        for (int edits = 1 + r.nextInt(4); edits > 0; edits--) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {   // a numeric header field (mode, uid, gid, size, mtime, devmajor, devminor) made hostile
                    int block = at / 512 * 512;
                    int[][] fields = {{100, 8}, {108, 8}, {116, 8}, {124, 12}, {136, 12}, {329, 8}, {337, 8}};
                    int[] f = fields[r.nextInt(fields.length)];
                    if (block + f[0] + f[1] <= b.length) {
                        for (int k = 0; k < f[1]; k++) b[block + f[0] + k] = r.nextBoolean() ? (byte) 0xff : (byte) r.nextInt(256);
                        if (r.nextBoolean()) b[block + f[0]] = (byte) 0x80;
                    }
                }
                case 3 -> {   // a PAX length made large
                    byte[] digits = Long.toString(r.nextBoolean() ? Integer.MAX_VALUE : r.nextInt(1 << 21)).getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(digits, 0, b, at, Math.min(digits.length, b.length - at));
                }
                case 4 -> b = Arrays.copyOf(b, at);   // truncated
                default -> {  // a block repeated
                    int from = at / 512 * 512;
                    byte[] block = Arrays.copyOfRange(b, from, Math.min(b.length, from + 512));
                    byte[] grown = Arrays.copyOf(b, b.length + block.length);
                    System.arraycopy(b, from, grown, from + block.length, b.length - from);
                    System.arraycopy(block, 0, grown, from, block.length);
                    b = grown;
                }
            }
            if (b.length == 0) return b;
        }
        if (r.nextInt(4) != 0) rechecksum(b);
        return b;
    }

    /** Fixes the checksum of every block that carries the ustar magic, as a hostile archive would. */
    private static void rechecksum(byte[] b) {
        for (int block = 0; block + 512 <= b.length; block += 512) {
            if (b[block + 257] != 'u' || b[block + 258] != 's') continue;
            Arrays.fill(b, block + 148, block + 156, (byte) ' ');
            long sum = 0;
            for (int i = 0; i < 512; i++) sum += b[block + i] & 0xff;
            byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(chk, 0, b, block + 148, 8);
        }
    }
}
