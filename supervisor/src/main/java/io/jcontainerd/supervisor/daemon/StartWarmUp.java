package io.jcontainerd.supervisor.daemon;

import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.jcontainerd.config.ConfigLoader;
import io.jcontainerd.supervisor.metadata.Json;
import org.rocksdb.RocksDB;

import java.util.Map;

/**
 * Work of the start that needs no configuration, done on a second thread while the main thread parses
 * the command line and sets up logging, in the order the main thread needs it: the TOML parser's classes,
 * RocksDB's JNI library, Jackson databind's {@code ObjectMapper} set-up (the metadata codec's, whose class
 * initialisation also serves the snapshotters' record files), netty epoll's JNI library. Each is idempotent
 * and thread-safe, and the main thread does it again where it needs it (then at no cost, or waiting for
 * this thread to finish it): a failure here is only reported there.
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
            try {
                Json.write(Map.of());
            } catch (RuntimeException ignored) {
                // the metadata store's first record reports whatever is wrong
            }
            Epoll.isAvailable();
        });
    }
}
