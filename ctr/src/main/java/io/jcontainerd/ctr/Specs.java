package io.jcontainerd.ctr;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;
import java.util.function.Supplier;

/**
 * Builds picocli command models in code, for the commands users time (the root, {@code version},
 * {@code namespaces}, {@code run}, {@code containers ls|rm}, {@code images ls|pull|rm},
 * {@code tasks ls|kill|rm}). picocli's annotations cost a JVM start about a third of jctr's own work:
 * each annotation type it reads is a dynamic proxy class generated at run time, which no AOT cache
 * holds. Commands that are not on a timed path keep their annotations and, in a {@link #group}, are
 * read only when named (or for help).
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

    /** A subcommand of a {@link #group}: its name and aliases, and how to make it (a CommandSpec, a CommandLine or an annotated object). */
    public record Sub(List<String> names, Supplier<Object> make) {
        public static Sub of(Supplier<Object> make, String... names) {
            return new Sub(List.of(names), make);
        }
    }

    /**
     * A command group whose subcommands are made only when needed: with {@code named} one of a
     * subcommand's names, only that one is made (the others, and their annotations, are never read);
     * otherwise all are (help, typos). {@code stopAtPositional}: options end at the first positional
     * of each subcommand, as in ctr ({@code tasks exec ID sh -c ...}).
     */
    public static CommandLine group(Object holder, String name, String description, String[] aliases, String named,
                                    boolean stopAtPositional, List<Sub> subs) {
        CommandSpec spec = command(holder, name, description, aliases);
        CommandLine group = new CommandLine(spec);
        boolean known = named != null && subs.stream().anyMatch(s -> s.names().contains(named));
        for (Sub sub : subs) {
            if (known && !sub.names().contains(named)) {
                continue;
            }
            Object made = sub.make().get();
            CommandLine cl = made instanceof CommandLine c ? c : made instanceof CommandSpec cs ? new CommandLine(cs) : new CommandLine(made);
            group.addSubcommand(cl.getCommandName(), cl);
        }
        return group.setStopAtPositional(stopAtPositional);
    }

    /** An option with one value of {@code type}. */
    public static OptionSpec option(Class<?> type, String label, String description, String... names) {
        return OptionSpec.builder(names).type(type).paramLabel(label).description(description).build();
    }

    /** An option with one value of {@code type} and a default (picocli's ${env:...} and ${DEFAULT-VALUE} work). */
    public static OptionSpec defaulted(Class<?> type, String label, String defaultValue, String description, String... names) {
        return OptionSpec.builder(names).type(type).paramLabel(label).defaultValue(defaultValue).description(description).build();
    }

    /** A repeatable string option. */
    public static OptionSpec repeatable(String label, String description, String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description).build();
    }

    /** The values of a repeatable option, empty when not given. */
    public static List<String> values(CommandSpec spec, String name) {
        List<String> values = spec.findOption(name).getValue();
        return values == null ? List.of() : values;
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

    /** The value of option {@code name}, {@code otherwise} when it has none. */
    public static <T> T valueOr(CommandSpec spec, String name, T otherwise) {
        T value = spec.findOption(name).getValue();
        return value == null ? otherwise : value;
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
