package io.jcontainerd.ctr;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;

/**
 * Builds picocli command models in code, for the commands users time (the root, {@code version},
 * {@code namespaces}). picocli's annotations cost a JVM start about a third of jctr's own work:
 * each annotation type it reads is a dynamic proxy class generated at run time, which no AOT cache
 * holds. Commands that are not on a timed path keep their annotations.
 */
public final class Specs {
    private Specs() {
    }

    /** A command whose user object (a Callable, or a holder of subcommands) is {@code command}. */
    public static CommandSpec command(Object command, String name, String description, String... aliases) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name).aliases(aliases);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        return spec;
    }

    /** A boolean flag. */
    public static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).arity("0").description(description).build();
    }

    /** A single positional parameter at {@code index}. */
    public static PositionalParamSpec positional(int index, String label, String description) {
        return PositionalParamSpec.builder().index(String.valueOf(index)).paramLabel(label).type(String.class)
                .description(description).build();
    }

    /** The positional parameters from {@code index} on ({@code required}: at least one). */
    public static PositionalParamSpec rest(int index, boolean required, String label, String description) {
        return PositionalParamSpec.builder().index(index + "..*").arity(required ? "1..*" : "0..*").paramLabel(label)
                .type(List.class).auxiliaryTypes(String.class).description(description).build();
    }

    /** The value of option {@code name} (its default when not given). */
    public static <T> T value(CommandSpec spec, String name) {
        return spec.findOption(name).getValue();
    }

    /** Whether flag {@code name} was given. */
    public static boolean isSet(CommandSpec spec, String name) {
        return Boolean.TRUE.equals(spec.findOption(name).getValue());
    }

    /** The strings of positional parameter {@code index}, empty when none were given. */
    public static List<String> strings(CommandSpec spec, int index) {
        List<String> values = spec.positionalParameters().get(index).getValue();
        return values == null ? List.of() : values;
    }
}
