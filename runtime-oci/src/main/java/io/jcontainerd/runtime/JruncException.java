package io.jcontainerd.runtime;

/**
 * The one error type of jrunc. runtime-oci depends on nothing else of jcontainerd, so it carries its
 * own small vocabulary; the message always names the id, path or field that was wrong.
 */
public class JruncException extends RuntimeException {
    public enum Kind { NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION, SYSTEM }

    private final Kind kind;

    public JruncException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public JruncException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    public static JruncException notFound(String fmt, Object... args) { return new JruncException(Kind.NOT_FOUND, format(fmt, args)); }
    public static JruncException alreadyExists(String fmt, Object... args) { return new JruncException(Kind.ALREADY_EXISTS, format(fmt, args)); }
    public static JruncException invalidArgument(String fmt, Object... args) { return new JruncException(Kind.INVALID_ARGUMENT, format(fmt, args)); }
    public static JruncException failedPrecondition(String fmt, Object... args) { return new JruncException(Kind.FAILED_PRECONDITION, format(fmt, args)); }
    public static JruncException system(String fmt, Object... args) { return new JruncException(Kind.SYSTEM, format(fmt, args)); }

    /**
     * fmt with its {@code %s} and {@code %d} filled in (and {@code %%}, {@code %n}) without java.util.Formatter;
     * any other conversion goes to String.format. The init stage formats its errors after pivot_root, where
     * Formatter's first use fails (its locale data needs the JDK's libjimage, no longer reachable: "Locale
     * provider adapter "CLDR" cannot be instantiated", and the error is lost), and initialising Formatter costs
     * milliseconds of CPU in each JVM.
     */
    public static String format(String fmt, Object... args) {
        StringBuilder b = new StringBuilder(fmt.length() + 64);
        int next = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            char conversion = i + 1 < fmt.length() ? fmt.charAt(i + 1) : 0;
            if ((conversion == 's' || conversion == 'd') && next < args.length) b.append(args[next++]);
            else if (conversion == '%') b.append('%');
            else if (conversion == 'n') b.append(System.lineSeparator());
            else return fmt.formatted(args);
            i++;
        }
        return b.toString();
    }
}
