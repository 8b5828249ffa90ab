package io.jcontainerd.runtime.it;

/**
 * Debian's runc and jrunc, each with its own --root, and one busybox bundle for both, limited to
 * 96 MiB of memory and 50 pids. Closing deletes their containers, then the bundle.
 */
final class TwoRuntimes implements AutoCloseable {
    final Jrunc jrunc, runc;
    final BusyboxBundle bundle;

    TwoRuntimes() throws Exception {
        jrunc = Jrunc.jrunc();
        runc = Jrunc.runc();
        bundle = BusyboxBundle.create(jrunc);
        var res = bundle.linux().putObject("resources");
        res.putObject("memory").put("limit", 96L * 1024 * 1024);
        res.putObject("pids").put("limit", 50);
        bundle.save();
    }

    @Override public void close() throws Exception {
        try {
            jrunc.close();
            runc.close();
        } finally {
            bundle.close();
        }
    }
}
