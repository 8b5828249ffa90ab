package io.jcontainerd.runtime.linux;

import java.util.logging.LogManager;

/**
 * The java.util.logging manager of jrunc's JVMs (`-Djava.util.logging.manager`, set by bin/jrunc and
 * container.InitCommand): JNA's Native and NativeLibrary each take a Logger when they load, and the
 * default manager then reads its configuration and hands the platform's loggers over to itself,
 * which first asks a ServiceLoader for System.LoggerFinder providers (JDK's
 * BootstrapLogger.DetectBackend: a look through the module layer and every jar on the class path):
 * ~10 ms of CPU per JVM, a quarter of the init stage's boot (measured; see runtime-oci/README.md
 * "Start-up cost"). jrunc logs nothing through java.util.logging and JNA logs only at FINE and below,
 * so this manager has no configuration at all: {@link #readConfiguration()} fails, which the JDK's
 * LogManager catches on its first configuration (it then skips the hand-over and its lookup), and the
 * root logger keeps the default level INFO with no handler (nothing would reach stderr, which in the
 * init stage is the container's).
 */
public final class JnaLogManager extends LogManager {
    public JnaLogManager() {}

    @Override public void readConfiguration() {
        throw new UnsupportedOperationException("jrunc's JVMs read no logging configuration (linux.JnaLogManager)");
    }
}
