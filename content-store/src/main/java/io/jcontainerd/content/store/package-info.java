/**
 * The content store backend, containerd's content.Store in small parts: {@link
 * io.jcontainerd.content.store.Provider} (read), {@link io.jcontainerd.content.store.Ingester}
 * (write, resume, verify, commit), {@link io.jcontainerd.content.store.Manager} (info, walk, delete)
 * and {@link io.jcontainerd.content.store.IngestManager} (unfinished writes). It keys content by
 * digest only: namespaces, labels, leases and GC belong to the supervisor's metadata layer.
 * {@link io.jcontainerd.content.store.LocalContentStore} keeps it in files, laid out as containerd's.
 */
package io.jcontainerd.content.store;
