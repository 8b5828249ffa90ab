package io.jcontainerd.ctr.output;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressDisplayTest {
    private static final String LAYER = "layer-sha256:" + "a".repeat(64);
    private static final String CONFIG = "config-sha256:" + "b".repeat(64);

    @Test
    void showsEachBlobWithItsStatusBarAndBytesLikeCtr() {
        ProgressDisplay d = new ProgressDisplay();
        d.update(LAYER, ProgressDisplay.Status.DOWNLOADING, 1 << 20, 4 << 20);
        d.update(CONFIG, ProgressDisplay.Status.WAITING, 0, 500);
        List<String> lines = d.render(Duration.ofSeconds(2));
        assertThat(lines.get(0)).isEqualTo(LAYER + ":  downloading    |" + "+".repeat(10) + "-".repeat(30) + "| 1.0 MiB/4.0 MiB");
        assertThat(lines.get(1)).isEqualTo(CONFIG + ": waiting        |" + "-".repeat(40) + "|");
        assertThat(lines.get(2)).isEqualTo("elapsed: 2.0 s  total: 1.0 MiB (512.0 KiB/s)");
    }

    @Test
    void countsOnlyWhatThisPullDownloaded() {
        ProgressDisplay d = new ProgressDisplay();
        d.update(LAYER, ProgressDisplay.Status.EXISTS, 4096, 4096);
        d.update(CONFIG, ProgressDisplay.Status.DOWNLOADING, 0, 500);
        d.update(CONFIG, ProgressDisplay.Status.DONE, 500, 500);
        assertThat(d.downloadedBytes()).isEqualTo(500);
        assertThat(d.render(Duration.ofSeconds(1))).anySatisfy(l -> assertThat(l).startsWith(LAYER + ":  exists "));
    }

    @Test
    void aLayerUnpackedFromTheStoreStillReadsExistsWhenDone() {
        ProgressDisplay d = new ProgressDisplay();
        d.update(LAYER, ProgressDisplay.Status.EXISTS, 10, 10);
        d.update(LAYER, ProgressDisplay.Status.UNPACKING, 10, 10);
        assertThat(d.render(Duration.ZERO).getFirst()).contains(": unpacking ");
        d.update(LAYER, ProgressDisplay.Status.DONE, 10, 10);
        assertThat(d.render(Duration.ZERO).getFirst()).contains(": exists ");
    }

    @Test
    void redrawMovesUpOverTheLastBlockAndClearsEachLine() {
        ProgressDisplay d = new ProgressDisplay();
        d.update(LAYER, ProgressDisplay.Status.WAITING, 0, 10);
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        d.redraw(out, Duration.ZERO, 0);
        assertThat(s.toString()).doesNotContain("\033[2A").contains("\033[K\n");
        d.redraw(out, Duration.ZERO, 0);
        assertThat(s.toString()).contains("\033[2A");
    }

    @Test
    void onANarrowTerminalLinesAreCutSoThatNoneWraps() {
        ProgressDisplay d = new ProgressDisplay();
        d.update(LAYER, ProgressDisplay.Status.DOWNLOADING, 5, 10);
        StringWriter s = new StringWriter();
        d.redraw(new PrintWriter(s), Duration.ZERO, 80);
        String[] lines = s.toString().split("\n");
        assertThat(lines).allSatisfy(line -> assertThat(line.replace("\033[K", "").replace("\r", "")).hasSizeLessThan(80));
        assertThat(lines[0]).as("the ref gives way, the status and bytes stay")
                .contains("layer-sha256:aaa...: downloading", "5 B/10 B");
    }
}
