package io.jcontainerd.supervisor.docker.containers;

import java.util.List;
import java.util.random.RandomGenerator;

/** Names for containers created without one, docker's way: adjective_surname (a digit appended after collisions). */
final class Names {
    private static final List<String> LEFT = List.of("admiring", "brave", "calm", "clever", "dreamy", "eager", "elated",
            "focused", "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "optimistic", "peaceful", "quirky",
            "relaxed", "serene", "sharp", "stoic", "tender", "vibrant", "wizardly", "youthful", "zealous");
    private static final List<String> RIGHT = List.of("agnesi", "babbage", "curie", "darwin", "euler", "fermi", "galois",
            "hopper", "hypatia", "kepler", "lamport", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon",
            "thompson", "turing", "wozniak", "yalow", "zuse");

    private Names() {
    }

    static String random(RandomGenerator r, boolean withDigit) {
        String n = LEFT.get(r.nextInt(LEFT.size())) + "_" + RIGHT.get(r.nextInt(RIGHT.size()));
        return withDigit ? n + r.nextInt(10) : n;
    }
}
