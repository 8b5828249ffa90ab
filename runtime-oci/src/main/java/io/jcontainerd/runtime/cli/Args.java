package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * runc-style arguments (urfave/cli): `-x`, `--name`, `-name`, `--name=value`, `--name value`.
 * Hand-written rather than picocli: jrunc starts on every container's critical path and picocli's
 * Java-5 class files cannot go into the AOT cache (about 200 ms of CPU per start here).
 */
final class Args {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param names    long name → true if it takes a value; short aliases map via {@code aliases}
     * @param stopAtPositional everything after the first positional is positional (exec's command)
     */
    static Args parse(String command, List<String> argv, Map<String, Boolean> names, Map<String, String> aliases,
                      boolean stopAtPositional) {
        Args a = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            boolean rest = stopAtPositional && !a.positional.isEmpty();
            if (rest || !s.startsWith("-") || s.equals("-")) {
                a.positional.add(s);
                continue;
            }
            if (s.equals("--")) {
                a.positional.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            String name = s.replaceFirst("^--?", "");
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            name = aliases.getOrDefault(name, name);
            Boolean takesValue = names.get(name);
            if (takesValue == null) throw JruncException.invalidArgument("%s: flag provided but not defined: -%s", command, name);
            if (takesValue && value == null) {
                if (i + 1 >= argv.size()) throw JruncException.invalidArgument("%s: flag needs an argument: -%s", command, name);
                value = argv.get(++i);
            }
            if (!takesValue && value == null) value = "true";
            a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return a;
    }

    static Map<String, Boolean> spec(Set<String> withValue, Set<String> booleans) {
        Map<String, Boolean> m = new HashMap<>();
        withValue.forEach(n -> m.put(n, true));
        booleans.forEach(n -> m.put(n, false));
        return m;
    }

    String value(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.getLast();
    }

    List<String> all(String name) { return values.getOrDefault(name, List.of()); }

    boolean flag(String name) {
        String v = value(name, "false");
        return !v.equals("false") && !v.equals("0");
    }

    int integer(String name) {
        String v = value(name, "0");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw JruncException.invalidArgument("invalid value %s for flag -%s: not a number", v, name);
        }
    }

    List<String> positional() { return positional; }

    String id(String command) {
        if (positional.isEmpty()) throw JruncException.invalidArgument("%s: requires a container id: jrunc %s <container-id>", command, command);
        return positional.getFirst();
    }
}
