package io.jcontainerd.runtime.container;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/** Pretty printing byte-compatible with Go's json.MarshalIndent(v, "", "  "), which runc's output uses. */
public final class GoJson {
    private GoJson() {}

    public static DefaultPrettyPrinter prettyPrinter() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        return pp;
    }
}
