/**
 * Snapshots: the {@link io.jcontainerd.snapshot.Snapshotter} contract and its values
 * ({@link io.jcontainerd.snapshot.SnapshotInfo}, {@link io.jcontainerd.snapshot.Kind},
 * {@link io.jcontainerd.snapshot.Mount}, {@link io.jcontainerd.snapshot.Usage},
 * {@link io.jcontainerd.snapshot.SnapshotFilter}).
 *
 * <p>Entry points for the supervisor:
 * <ul>
 *   <li>{@link io.jcontainerd.snapshot.driver.Snapshotters#open} — a driver by name ("overlayfs",
 *       "native") on its root; {@link io.jcontainerd.snapshot.driver.OverlaySupport#check} first to
 *       fall back to native where overlayfs does not work;</li>
 *   <li>{@link io.jcontainerd.snapshot.apply.MountApplier#apply} — the Diff service's Apply: a layer
 *       blob onto the mounts of an active snapshot; {@link io.jcontainerd.snapshot.apply.LayerApplier}
 *       underneath, for a plain directory;</li>
 *   <li>{@link io.jcontainerd.snapshot.diff.Differ#compare} — the Diff service's Compare (Diff);</li>
 *   <li>{@link io.jcontainerd.snapshot.mount.Mounter#linux} — mounting the descriptions.</li>
 * </ul>
 * Nothing here knows namespaces, gRPC or registries.
 */
package io.jcontainerd.snapshot;
