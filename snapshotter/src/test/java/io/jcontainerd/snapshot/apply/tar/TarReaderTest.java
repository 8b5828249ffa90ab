package io.jcontainerd.snapshot.apply.tar;

import io.jcontainerd.snapshot.apply.TestLayer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarReaderTest {

    private static List<TarEntry> read(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            out.add(e);
        }
        return out;
    }

    @Test
    void foldsPaxRecordsIntoTheNextEntryOnly() throws IOException {
        byte[] cap = HexFormat.of().parseHex("01000002ff800000");
        List<TarEntry> entries = read(TestLayer.tar()
                .pax("mtime", "1700000000.123456789".getBytes(StandardCharsets.US_ASCII))
                .pax("uid", "3000000".getBytes(StandardCharsets.US_ASCII))
                .xattr("security.capability", cap)
                .file("first", "1")
                .file("second", "2")
                .bytes());
        TarEntry first = entries.getFirst();
        assertThat(first.mtimeSeconds()).isEqualTo(1_700_000_000L);
        assertThat(first.mtimeNanos()).isEqualTo(123_456_789);
        assertThat(first.uid()).isEqualTo(3_000_000);
        assertThat(first.xattrs()).containsOnlyKeys("security.capability");
        assertThat(first.xattrs().get("security.capability")).isEqualTo(cap);
        assertThat(entries.get(1).xattrs()).isEmpty();
        assertThat(entries.get(1).uid()).isZero();
    }

    @Test
    void ignoresGlobalPaxHeadersAndTheSizeOfHeaderOnlyTypes() throws IOException {
        byte[] tar = TestLayer.tar()
                .entry("pax_global_header", 'g', 0644, "22 comment=ignored me\n".getBytes(StandardCharsets.UTF_8), "", 0, 0)
                .file("a", "a")
                .bytes();
        assertThat(read(tar)).extracting(TarEntry::name).containsExactly("a");
    }

    @Test
    void readsContentAndSkipsWhatTheCallerDoesNotRead() throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(TestLayer.tar().file("a", "x".repeat(1000)).file("b", "bee").bytes()));
        assertThat(reader.next().size()).isEqualTo(1000);
        TarEntry b = reader.next();
        assertThat(b.name()).isEqualTo("b");
        byte[] buf = new byte[10];
        int n = reader.read(buf, 0, buf.length);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo("bee");
        assertThat(reader.read(buf, 0, buf.length)).isEqualTo(-1);
        assertThat(reader.next()).isNull();
    }

    @Test
    void readsBase256NumbersForLargeOwners() throws IOException {
        byte[] tar = TestLayer.tar().file("a", "a").bytes();
        // uid field as GNU base-256: marker bit, then big-endian 0x7fffffff in the last bytes
        byte[] uid = {(byte) 0x80, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        System.arraycopy(uid, 0, tar, 108, 8);
        fixChecksum(tar);
        assertThat(read(tar).getFirst().uid()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void refusesSparseFilesAndUnknownTypesNamingThem() {
        byte[] sparse = TestLayer.tar().entry("holes", 'S', 0644, new byte[0], "", 0, 0).bytes();
        assertThatThrownBy(() -> read(sparse)).isInstanceOf(TarFormatException.class).hasMessageContaining("holes");
        byte[] volume = TestLayer.tar().entry("label", 'V', 0644, new byte[0], "", 0, 0).bytes();
        assertThatThrownBy(() -> read(volume)).isInstanceOf(TarFormatException.class).hasMessageContaining("label");
    }

    @Test
    void anArchiveEndingOnABlockBoundaryWithoutMarkerIsComplete() throws IOException {
        byte[] full = TestLayer.tar().file("a", "a").bytes();
        byte[] noMarker = java.util.Arrays.copyOf(full, full.length - 1024);
        assertThat(read(noMarker)).extracting(TarEntry::name).containsExactly("a");
    }

    @Test
    void writerAndReaderRoundTripEveryType() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] binary = {0, (byte) 0xff, 10, 61};
        List<TarEntry> written = List.of(
                new TarEntry("d/", TarEntry.Type.DIR, 01777, 1, 2, 0, 5, 0, "", 0, 0, Map.of()),
                new TarEntry("d/" + "long".repeat(40), TarEntry.Type.FILE, 04755, 70000, 3, 3, 6, 0, "", 0, 0,
                        Map.of("security.capability", binary)),
                new TarEntry("d/link", TarEntry.Type.SYMLINK, 0777, 0, 0, 0, 7, 0, "t".repeat(200), 0, 0, Map.of()),
                new TarEntry("d/hard", TarEntry.Type.HARDLINK, 0644, 0, 0, 0, 7, 0, "d/x", 0, 0, Map.of()),
                new TarEntry("d/tty", TarEntry.Type.CHAR, 0620, 0, 5, 0, 8, 0, "", 4, 1, Map.of()),
                new TarEntry("d/sda", TarEntry.Type.BLOCK, 0660, 0, 6, 0, 8, 0, "", 8, 0, Map.of()),
                new TarEntry("d/pipe", TarEntry.Type.FIFO, 0600, 0, 0, 0, 9, 0, "", 0, 0, Map.of()));
        try (TarWriter w = new TarWriter(buf)) {
            for (TarEntry e : written) {
                w.write(e, new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8)));
            }
        }
        List<TarEntry> back = read(buf.toByteArray());
        assertThat(back).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            TarEntry w = written.get(i);
            TarEntry r = back.get(i);
            assertThat(r).usingRecursiveComparison().ignoringFields("xattrs").isEqualTo(w);
            assertThat(r.xattrs().keySet()).isEqualTo(w.xattrs().keySet());
            w.xattrs().forEach((k, v) -> assertThat(r.xattrs().get(k)).isEqualTo(v));
        }
    }

    @Test
    void aPaxHeaderReplacesAnEarlierOneForTheSameEntryAsGosArchiveTar() throws IOException {
        byte[] tar = TestLayer.tar()
                .entry("PaxHeaders/first", 'x', 0644, concat(record("uid", "5"), record("SCHILY.xattr.user.a", "1")), "", 0, 0)
                .entry("PaxHeaders/second", 'x', 0644, record("mtime", "1700000001"), "", 0, 0)
                .file("f", "f")
                .bytes();
        TarEntry f = read(tar).getFirst();
        assertThat(f.mtimeSeconds()).isEqualTo(1_700_000_001L);
        assertThat(f.uid()).as("the first header's uid was replaced, not merged").isZero();
        assertThat(f.xattrs()).isEmpty();
    }

    @Test
    void refusesAPaxHeaderOrGnuLongNameOfMoreThanOneMiB() {
        byte[] bigPax = record("SCHILY.xattr.user.big", "v".repeat(TarReader.MAX_SPECIAL_FILE));
        byte[] pax = TestLayer.tar().entry("PaxHeaders/f", 'x', 0644, bigPax, "", 0, 0).file("f", "f").bytes();
        assertThatThrownBy(() -> read(pax)).isInstanceOf(TarFormatException.class)
                .hasMessageContaining("PAX header").hasMessageContaining("1048576 allowed");
        byte[] longName = TestLayer.tar().entry("././@LongLink", 'L', 0644, "n".repeat(TarReader.MAX_SPECIAL_FILE + 1).getBytes(StandardCharsets.UTF_8), "", 0, 0)
                .file("f", "f").bytes();
        assertThatThrownBy(() -> read(longName)).isInstanceOf(TarFormatException.class)
                .hasMessageContaining("GNU long name").hasMessageContaining("1048576 allowed");
    }

    @Test
    void refusesNegativeAndOverflowingSizes() {
        byte[] negative = TestLayer.tar().file("a", "a").bytes();
        byte[] minusOne = new byte[12];
        java.util.Arrays.fill(minusOne, (byte) 0xff);     // base-256 -1
        System.arraycopy(minusOne, 0, negative, 124, 12);
        fixChecksum(negative);
        assertThatThrownBy(() -> read(negative)).isInstanceOf(TarFormatException.class).hasMessageContaining("negative size -1");

        byte[] overflow = TestLayer.tar().file("a", "a").bytes();
        byte[] huge = new byte[12];
        java.util.Arrays.fill(huge, (byte) 0x7f);
        huge[0] = (byte) 0x80;                            // base-256, 95 bits of magnitude
        System.arraycopy(huge, 0, overflow, 124, 12);
        fixChecksum(overflow);
        assertThatThrownBy(() -> read(overflow)).isInstanceOf(TarFormatException.class).hasMessageContaining("size overflows 64 bits");

        byte[] paxNegative = TestLayer.tar().pax("size", "-1".getBytes(StandardCharsets.US_ASCII)).file("a", "a").bytes();
        assertThatThrownBy(() -> read(paxNegative)).isInstanceOf(TarFormatException.class).hasMessageContaining("PAX size -1 is negative");
    }

    @Test
    void refusesAPaxRecordWhoseLengthRunsPastTheHeader() {
        byte[] records = concat(record("uid", "5"), "2147483647 uid=6\n".getBytes(StandardCharsets.US_ASCII));
        byte[] tar = TestLayer.tar().entry("PaxHeaders/f", 'x', 0644, records, "", 0, 0).file("f", "f").bytes();
        assertThatThrownBy(() -> read(tar)).isInstanceOf(TarFormatException.class)
                .hasMessageContaining("malformed PAX record").hasMessageContaining("2147483647");
    }

    private static byte[] record(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length() + Integer.toString(body.length()).length();
        if (Integer.toString(len).length() != Integer.toString(body.length()).length()) len++;
        return (len + body).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void fixChecksum(byte[] tar) {
        java.util.Arrays.fill(tar, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, tar, 148, 8);
    }
}
