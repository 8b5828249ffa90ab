package io.jcontainerd.ctr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of jctr's AOT cache (JEP 483/514, written by scripts/train-aot.sh). A cache is
 * recorded from one JVM, so this runs several jctr command lines in that one JVM, in order, the way
 * {@code bin/jctr} would run each: the classes of every path users time (version, the ls commands,
 * pull, run) end up in the cache, not only those of the first.
 *
 * <p>Usage: {@code JCD_JAVA_OPTS=-Djctr.train=true bin/jctr 'LINE' ['LINE'...]} (so that the training
 * JVM has bin/jctr's flags exactly): each LINE is one jctr command line, words separated by spaces. A LINE starting with {@code ?} is
 * optional: its failure is reported but does not fail the training. Exit status 0 when every
 * required line exited 0, else 1 naming the lines that failed.
 */
public final class AotTraining {

    private AotTraining() {
    }

    static int train(String[] lines) {
        List<String> failed = new ArrayList<>();
        for (String line : lines) {
            boolean optional = line.startsWith("?");
            String[] args = (optional ? line.substring(1) : line).trim().split("\\s+");
            int exit = Main.run(args);
            if (exit != 0) {
                System.err.println("jctr training: '" + String.join(" ", args) + "' exited " + exit
                        + (optional ? " (optional: training goes on)" : ""));
                if (!optional) {
                    failed.add(Arrays.toString(args));
                }
            }
        }
        if (!failed.isEmpty()) {
            System.err.println("jctr training: failed: " + String.join(", ", failed));
            return 1;
        }
        return 0;
    }
}
