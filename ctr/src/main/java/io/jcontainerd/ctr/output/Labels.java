package io.jcontainerd.ctr.output;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Labels as ctr shows and reads them: {@code k=v,k2=v2} sorted, and {@code k=v} arguments. */
public final class Labels {
    private Labels() {
    }

    public static String format(Map<String, String> labels) {
        // a loop, not a stream: a TreeMap's sorted spliterator hands the stream a serializable comparator,
        // a lambda the AOT cache cannot hold, spun at run time with the class-file API (~10 ms per jctr run)
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }

    /** Parses {@code k=v} arguments; {@code k} or {@code k=} means an empty value (removal on update). */
    public static Map<String, String> parse(Iterable<String> args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                m.put(a, "");
            } else {
                m.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return m;
    }
}
