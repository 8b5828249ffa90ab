/**
 * The pull side of the OCI distribution protocol on java.net.http: hosts.toml mirrors
 * ({@link io.jcontainerd.content.registry.HostsDirectory}), tag resolution
 * ({@link io.jcontainerd.content.registry.Resolver}), blob and manifest fetches that resume broken
 * connections with HTTP Range and verify while streaming ({@link io.jcontainerd.content.registry.Fetcher}),
 * bearer-token and basic auth, retries with backoff for connection failures, 5xx and 429.
 */
package io.jcontainerd.content.registry;
