package io.jcontainerd.supervisor.docker.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBatchTest {
    @Test
    void framesGoOutAsTheSameBytesInFewerWrites() {
        List<byte[]> writes = new ArrayList<>();
        FrameBatch batch = new FrameBatch(false, writes::add);
        ByteArrayOutputStream oneByOne = new ByteArrayOutputStream();
        byte[] ts = "2026-12-06T14:27:37Z ".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5000; i++) {
            byte[] text = ("line " + i + "\n").getBytes(StandardCharsets.UTF_8);
            int stream = i % 3 == 0 ? StreamFrames.STDERR : StreamFrames.STDOUT;
            assertThat(batch.add(stream, ts, text)).isTrue();
            byte[] both = new byte[ts.length + text.length];
            System.arraycopy(ts, 0, both, 0, ts.length);
            System.arraycopy(text, 0, both, ts.length, text.length);
            oneByOne.writeBytes(StreamFrames.frame(stream, both));
        }
        assertThat(batch.flush()).isTrue();
        ByteArrayOutputStream batched = new ByteArrayOutputStream();
        writes.forEach(batched::writeBytes);
        assertThat(batched.toByteArray()).isEqualTo(oneByOne.toByteArray());
        assertThat(writes.size()).as("blocks of up to %d bytes", FrameBatch.SIZE).isBetween(2, oneByOne.size() / (FrameBatch.SIZE - 64) + 1);
        assertThat(writes).allSatisfy(w -> assertThat(w.length).isLessThanOrEqualTo(FrameBatch.SIZE));
    }

    @Test
    void withATtyTheBytesGoUnframedAndALargeOneWhole() {
        List<byte[]> writes = new ArrayList<>();
        FrameBatch batch = new FrameBatch(true, writes::add);
        batch.add(StreamFrames.STDOUT, new byte[0], "tty\r\n".getBytes(StandardCharsets.UTF_8));
        batch.add(StreamFrames.STDOUT, new byte[0], new byte[FrameBatch.SIZE + 1]);
        batch.flush();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0)).isEqualTo("tty\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(writes.get(1)).hasSize(FrameBatch.SIZE + 1);
    }

    @Test
    void aClientThatWentAwayStopsTheBatch() {
        FrameBatch batch = new FrameBatch(false, b -> false);
        boolean ok = true;
        for (int i = 0; i < 100_000 && ok; i++) {
            ok = batch.add(StreamFrames.STDOUT, new byte[0], "gone\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(ok).isFalse();
    }
}
