package io.jcontainerd.supervisor.docker.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StreamFramesTest {
    @Test
    void aFrameIsStreamThreeZerosAndABigEndianLengthBeforeThePayload() {
        byte[] f = StreamFrames.frame(StreamFrames.STDOUT, "hi\n".getBytes(StandardCharsets.UTF_8));
        assertThat(f).containsExactly(1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n');
        byte[] big = StreamFrames.frame(StreamFrames.STDERR, new byte[70_000]);
        assertThat(big).startsWith(2, 0, 0, 0, 0, 1, 0x11, 0x70);
        assertThat(big).hasSize(70_008);
    }

    @Test
    void withATtyTheBytesGoUnframed() {
        byte[] data = "tty\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(StreamFrames.encode(true, StreamFrames.STDOUT, data)).isSameAs(data);
        assertThat(StreamFrames.encode(false, StreamFrames.STDOUT, data)).hasSize(data.length + 8);
    }
}
