package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.supervisor.docker.http.StreamFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogFileTest {
    @TempDir
    Path dir;

    @Test
    void outputIsKeptAsDockerJsonLinesCutAtNewlines() throws Exception {
        LogFile log = new LogFile(dir.resolve("c-json.log"));
        log.append(StreamFrames.STDOUT, bytes("hel"));
        log.append(StreamFrames.STDOUT, bytes("lo\nwor"));
        log.append(StreamFrames.STDERR, bytes("oops\n"));
        log.flush();
        List<String> lines = Files.readAllLines(log.path());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"");
        assertThat(lines.get(1)).startsWith("{\"log\":\"oops\\n\",\"stream\":\"stderr\"");
        assertThat(lines.get(2)).startsWith("{\"log\":\"wor\",\"stream\":\"stdout\"");
    }

    @Test
    void readsFilterByStreamTimeAndTail() throws Exception {
        LogFile log = new LogFile(dir.resolve("c-json.log"));
        for (int i = 1; i <= 5; i++) {
            log.append(i % 2 == 0 ? StreamFrames.STDERR : StreamFrames.STDOUT, bytes("line" + i + "\n"));
        }
        assertThat(read(log, new LogFile.Query(true, true, null, null, -1, false))).containsExactly("line1\n", "line2\n",
                "line3\n", "line4\n", "line5\n");
        assertThat(read(log, new LogFile.Query(true, false, null, null, -1, false))).containsExactly("line1\n", "line3\n", "line5\n");
        assertThat(read(log, new LogFile.Query(true, true, null, null, 2, false))).containsExactly("line4\n", "line5\n");
        assertThat(read(log, new LogFile.Query(true, true, null, null, 0, false))).isEmpty();
        assertThat(read(log, new LogFile.Query(true, true, Instant.now().plusSeconds(60), null, -1, false))).isEmpty();
        assertThat(read(log, new LogFile.Query(true, true, null, Instant.EPOCH, -1, false))).isEmpty();
    }

    @Test
    void aDamagedLineIsSkippedAndLongLinesComeInParts() throws Exception {
        Path p = dir.resolve("c-json.log");
        LogFile log = new LogFile(p);
        Files.writeString(p, "not json\n");
        log.append(StreamFrames.STDOUT, bytes("x".repeat(LogFile.MAX_LINE + 10) + "\n"));
        List<String> got = read(log, new LogFile.Query(true, true, null, null, -1, false));
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).hasSize(LogFile.MAX_LINE);
        assertThat(got.get(1)).isEqualTo("x".repeat(10) + "\n");
    }

    @Test
    void aLogOfManyBlocksReadsBackWholeAndAnUnfinishedLastLineWaits() throws Exception {
        Path p = dir.resolve("c-json.log");
        LogFile log = new LogFile(p);
        List<String> written = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String line = "line " + i + " " + "y".repeat(i % 300) + (i % 7 == 0 ? " \"tab\t\"" : "") + "\n";
            written.add(line);
            chunk.append(line);
            if (i % 1000 == 999) {
                log.append(i % 2 == 0 ? StreamFrames.STDOUT : StreamFrames.STDERR, bytes(chunk.toString()));
                chunk.setLength(0);
            }
        }
        assertThat(Files.size(p)).as("several read blocks").isGreaterThan(1 << 20);
        Files.writeString(p, "{\"log\":\"half a li", java.nio.file.StandardOpenOption.APPEND);
        assertThat(read(log, new LogFile.Query(true, true, null, null, -1, false))).isEqualTo(written);
        assertThat(read(log, new LogFile.Query(true, true, null, null, 3, false))).isEqualTo(written.subList(19_997, 20_000));
    }

    @Test
    void followingReadsWhatIsAppendedUntilTheWriterStops() throws Exception {
        LogFile log = new LogFile(dir.resolve("c-json.log"));
        log.append(StreamFrames.STDOUT, bytes("first\n"));
        boolean[] running = {true};
        List<String> got = new ArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                log.read(new LogFile.Query(true, true, null, null, -1, true), () -> running[0], e -> {
                    if (e != null) {
                        synchronized (got) {
                            got.add(new String(e.text(), StandardCharsets.UTF_8));
                            got.notifyAll();
                        }
                    }
                    return true;
                });
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        synchronized (got) {
            while (got.size() < 1) {
                got.wait();
            }
        }
        log.append(StreamFrames.STDOUT, bytes("second\n"));
        synchronized (got) {
            while (got.size() < 2) {
                got.wait();
            }
        }
        running[0] = false;
        log.flush();
        reader.join();
        assertThat(got).containsExactly("first\n", "second\n");
    }

    private static List<String> read(LogFile log, LogFile.Query q) throws Exception {
        List<String> out = new ArrayList<>();
        log.read(q, () -> false, e -> out.add(new String(e.text(), StandardCharsets.UTF_8)));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
