package io.jcontainerd.supervisor.daemon;

import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.jcontainerd.config.ConfigLoader;
import org.rocksdb.RocksDB;

/**
 * Work of the start that needs no configuration, done on a second thread while the main thread parses
 * the command line and sets up logging: the TOML reader's deserializers, RocksDB's and netty epoll's
 * JNI libraries. Each is idempotent and thread-safe, and the main thread does it again where it needs
 * it (then at no cost, or waiting for this thread to finish it): a failure here is only reported there.
 */
public final class StartWarmUp {
    private StartWarmUp() {
    }

    public static void begin() {
        Thread.ofPlatform().daemon().name("start-up warm-up").start(() -> {
            ConfigLoader.warmUp();
            try {
                RocksDB.loadLibrary();
            } catch (RuntimeException | Error ignored) {
                // MetadataStore loads it again and reports why it cannot
            }
            Epoll.isAvailable();
        });
    }
}
