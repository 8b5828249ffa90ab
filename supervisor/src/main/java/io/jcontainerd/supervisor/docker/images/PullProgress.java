package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.api.pull.v1.BlobStatus;
import io.jcontainerd.api.pull.v1.PullEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the daemon's pull events into Docker's JSON progress lines, one object a line: a
 * layer is "Pulling fs layer", "Downloading" (with progressDetail and a bar), "Download
 * complete", "Extracting", "Pull complete", or "Already exists"; the end is the digest and
 * the status line. Layers are named by the first 12 hex digits of their digest, as docker does.
 */
public final class PullProgress {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ImageName name;
    private final Set<String> announced = new HashSet<>();
    private final Set<String> downloaded = new HashSet<>();
    private final Set<String> extracting = new HashSet<>();
    private boolean anyDownloaded;

    public PullProgress(ImageName name) {
        this.name = name;
    }

    /** The first line: {@code {"status":"Pulling from library/busybox","id":"latest"}}. */
    public byte[] start() {
        return line(status("Pulling from " + name.path(), name.tag() != null ? name.tag() : name.digest()));
    }

    /** The lines for one event (none for manifests, configs and progress not worth a line). */
    public List<byte[]> lines(PullEvent e) {
        List<byte[]> out = new ArrayList<>();
        if (!e.hasBlob() || !e.getBlob().getKind().equals("layer")) {
            return out;
        }
        BlobStatus b = e.getBlob();
        String id = shortId(b.getDigest().isEmpty() ? b.getRef() : b.getDigest());
        switch (b.getPhase()) {
            case WAITING, RESOLVED, RESOLVING -> announce(id, out);
            case DOWNLOADING -> {
                announce(id, out);
                ObjectNode n = status("Downloading", id);
                n.putObject("progressDetail").put("current", b.getOffset()).put("total", b.getTotal());
                n.put("progress", bar(b.getOffset(), b.getTotal()));
                out.add(line(n));
            }
            case DONE -> {
                if (extracting.remove(id)) {
                    out.add(line(detail(status("Pull complete", id))));
                } else if (downloaded.add(id)) {
                    anyDownloaded = true;
                    announce(id, out);
                    out.add(line(detail(status("Verifying Checksum", id))));
                    out.add(line(detail(status("Download complete", id))));
                }
            }
            case UNPACKING -> {
                extracting.add(id);
                ObjectNode n = status("Extracting", id);
                n.putObject("progressDetail").put("current", b.getOffset()).put("total", b.getTotal());
                n.put("progress", bar(b.getOffset(), b.getTotal()));
                out.add(line(n));
            }
            case EXISTS -> {
                announced.add(id);
                downloaded.add(id);
                out.add(line(detail(status("Already exists", id))));
            }
            default -> {
            }
        }
        return out;
    }

    /** The closing lines: the digest and whether anything new came. */
    public List<byte[]> done(String digest, boolean upToDate) {
        String s = upToDate && !anyDownloaded ? "Status: Image is up to date for " + name.familiar()
                : "Status: Downloaded newer image for " + name.familiar();
        return List.of(line(status("Digest: " + digest, null)), line(status(s, null)));
    }

    /** An in-stream error, as dockerd sends one after the head is out. */
    public static byte[] error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("errorDetail").put("message", message);
        n.put("error", message);
        return line(n);
    }

    private void announce(String id, List<byte[]> out) {
        if (announced.add(id)) {
            out.add(line(detail(status("Pulling fs layer", id))));
        }
    }

    static String shortId(String digestOrRef) {
        String d = digestOrRef;
        int colon = d.lastIndexOf(':');
        if (colon >= 0) {
            d = d.substring(colon + 1);
        }
        return d.length() > 12 ? d.substring(0, 12) : d;
    }

    static String bar(long current, long total) {
        int width = 50;
        int done = total <= 0 ? 0 : (int) Math.min(width, current * width / total);
        String arrow = done == 0 ? "" : "=".repeat(done - 1) + ">";
        return "[" + arrow + " ".repeat(width - Math.max(done, 0)) + "] " + human(current) + "/" + human(total);
    }

    private static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.3g%s", v, units[u]);
    }

    private static ObjectNode status(String status, String id) {
        ObjectNode n = JSON.createObjectNode().put("status", status);
        if (id != null) {
            n.put("id", id);
        }
        return n;
    }

    private static ObjectNode detail(ObjectNode n) {
        n.putObject("progressDetail");
        return n;
    }

    private static byte[] line(ObjectNode n) {
        try {
            return (JSON.writeValueAsString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
