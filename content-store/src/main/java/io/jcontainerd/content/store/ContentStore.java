package io.jcontainerd.content.store;

/** The whole backend contract, as containerd's content.Store: clients take the smallest part they need. */
public interface ContentStore extends Provider, Ingester, Manager, IngestManager {
}
