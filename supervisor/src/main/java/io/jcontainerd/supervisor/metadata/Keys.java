package io.jcontainerd.supervisor.metadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds and splits keys: UTF-8 elements joined by NUL, namespace first. */
public final class Keys {
    private static final byte SEP = 0;

    private Keys() {
    }

    /** The key made of {@code elements}, e.g. {@code of("default", "busybox")}. */
    public static byte[] of(String... elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) {
                out.write(SEP);
            }
            byte[] b = elements[i].getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /** The prefix of every key below {@code elements} (the elements plus a trailing NUL). */
    public static byte[] prefix(String... elements) {
        byte[] k = of(elements);
        byte[] p = new byte[k.length + 1];
        System.arraycopy(k, 0, p, 0, k.length);
        p[k.length] = SEP;
        return p;
    }

    public static List<String> split(byte[] key) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= key.length; i++) {
            if (i == key.length || key[i] == SEP) {
                parts.add(new String(key, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts;
    }
}
