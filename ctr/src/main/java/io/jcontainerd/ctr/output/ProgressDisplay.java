package io.jcontainerd.ctr.output;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ctr's pull progress: one line per blob ({@code layer-sha256:…: downloading |+++---| 1.2 MiB/3.4 MiB}),
 * then {@code elapsed: 1.2 s  total: 3.4 MiB (2.8 MiB/s)}. On a terminal the block is redrawn in
 * place ({@link #redraw}); otherwise only the final state is printed ({@link #printFinal}), so logs
 * stay readable. Updates come from the response stream; not thread-safe.
 */
public final class ProgressDisplay {
    static final int BAR_WIDTH = 40;

    /** What the client shows for each phase the server reports. */
    public enum Status {
        RESOLVING("resolving"), RESOLVED("resolved"), WAITING("waiting"), DOWNLOADING("downloading"),
        UNPACKING("unpacking"), DONE("done"), EXISTS("exists");

        final String text;

        Status(String text) {
            this.text = text;
        }
    }

    private record Line(Status status, long offset, long total, boolean downloaded) {
    }

    private final Map<String, Line> lines = new LinkedHashMap<>();
    private int drawn;

    /** Records the newest state of a blob (or of the reference, while resolving). */
    public void update(String ref, Status status, long offset, long total) {
        Line previous = lines.get(ref);
        boolean downloaded = status == Status.DOWNLOADING || previous != null && previous.downloaded;
        if (status == Status.DONE && previous != null && previous.status == Status.UNPACKING && !downloaded) {
            status = Status.EXISTS; // unpacked a layer that was already in the store
        }
        lines.put(ref, new Line(status, offset, total, downloaded));
    }

    /** Bytes fetched in this pull so far (blobs that already existed count nothing). */
    public long downloadedBytes() {
        return lines.values().stream().filter(Line::downloaded).mapToLong(l -> l.status == Status.DOWNLOADING ? l.offset : l.total).sum();
    }

    /** The block as lines of text, without terminal codes. */
    public List<String> render(Duration elapsed) {
        return render(elapsed, 0);
    }

    /**
     * The block for a terminal {@code columns} wide (0 = unlimited): on a narrow one the bar
     * shrinks and refs are shortened with "..." before anything is cut, so the status stays visible.
     */
    public List<String> render(Duration elapsed, int columns) {
        int longest = lines.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        int barWidth = BAR_WIDTH;
        int width = longest;
        if (columns > 0) {
            int tail = 1 + 14 + 1 + 2 + 21; // status, bar ends, "123.4 MiB/123.4 MiB"
            if (longest + tail + barWidth >= columns) {
                barWidth = BAR_WIDTH / 2;
            }
            width = Math.min(longest, Math.max(12, columns - 1 - tail - barWidth));
        }
        int refWidth = width;
        int bars = barWidth;
        List<String> out = new ArrayList<>();
        lines.forEach((ref, l) -> {
            StringBuilder sb = new StringBuilder();
            sb.append(pad(shorten(ref + ":", refWidth), refWidth)).append(' ').append(pad(l.status.text, 14)).append(' ')
                    .append(bar(l, bars));
            if (l.status == Status.DOWNLOADING) {
                sb.append(' ').append(Sizes.human(l.offset)).append('/').append(Sizes.human(l.total));
            }
            out.add(sb.toString().stripTrailing());
        });
        double seconds = Math.max(elapsed.toNanos() / 1e9, 0.001);
        long total = downloadedBytes();
        out.add(String.format("elapsed: %.1f s  total: %s (%s/s)", seconds, Sizes.human(total), Sizes.human((long) (total / seconds))));
        return out;
    }

    /** "layer-sha256:7450e524...:" for a ref that does not fit (ASCII: the locale may not be UTF-8); the colon stays. */
    private static String shorten(String refWithColon, int width) {
        if (refWithColon.length() <= width) {
            return refWithColon;
        }
        return refWithColon.substring(0, Math.max(1, width - 4)) + "...:";
    }

    /**
     * Redraws the block in place: up over what was drawn last, each line cleared to its end. Lines
     * are cut to {@code columns - 1} (when known, else 0) so none wraps: a wrapped line would make the
     * cursor-up count wrong and smear the block down the screen.
     */
    public void redraw(PrintWriter out, Duration elapsed, int columns) {
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) {
            sb.append("\033[").append(drawn).append('A');
        }
        List<String> rendered = render(elapsed, columns);
        for (String line : rendered) {
            String fitted = columns > 1 && line.length() >= columns ? line.substring(0, columns - 1) : line;
            sb.append('\r').append(fitted).append("\033[K\n");
        }
        drawn = rendered.size();
        out.print(sb);
        out.flush();
    }

    /** The final block as plain lines (for pipes and logs). */
    public void printFinal(PrintWriter out, Duration elapsed) {
        render(elapsed).forEach(out::println);
        out.flush();
    }

    private static String bar(Line l, int width) {
        int filled = switch (l.status) {
            case DONE, EXISTS, RESOLVED, UNPACKING -> width;
            case DOWNLOADING -> l.total <= 0 ? 0 : (int) Math.min(width, l.offset * width / l.total);
            default -> 0;
        };
        return "|" + "+".repeat(filled) + "-".repeat(width - filled) + "|";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
