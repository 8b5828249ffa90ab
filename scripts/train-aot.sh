#!/usr/bin/env bash
# Records AOT caches (JEP 483/514) for jcontainerd and jctr with one training run each against a
# throw-away daemon; the launchers in bin/ use a cache only while it is newer than its jar.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
tmp="$(mktemp -d /tmp/jcd-aot.XXXXXX)"
daemon_pid=""
cleanup() {
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
rm -f supervisor/target/jcontainerd.aot ctr/target/jctr.aot
# picocli's Java 5 class files cannot go into an AOT cache as they are: rewrite them as Java 8 ones
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" scripts/ClassFileUpgrade.java supervisor/target/lib/picocli-*.jar ctr/target/lib/picocli-*.jar
JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/supervisor/target/jcontainerd.aot" \
  bin/jcontainerd --root "$tmp/root" --state "$tmp/state" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do [[ -S "$tmp/state/jcontainerd.sock" ]] && break; sleep 0.1; done
JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/ctr/target/jctr.aot" \
  bin/jctr -a "$tmp/state/jcontainerd.sock" version >"$tmp/jctr.log" 2>&1 || { cat "$tmp/jctr.log" >&2; exit 1; }
bin/jctr -a "$tmp/state/jcontainerd.sock" namespaces ls >/dev/null
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
for f in supervisor/target/jcontainerd.aot ctr/target/jctr.aot; do
  [[ -f "$f" ]] || { echo "train-aot: $f was not written; see $tmp" >&2; exit 1; }
done
echo "AOT caches: $(du -h supervisor/target/jcontainerd.aot ctr/target/jctr.aot | awk '{print $2" "$1}' | paste -sd' ')"

# The shim and jrunc caches need a container run to train on (root, busybox-static, runc).
if [[ $EUID -eq 0 && -x /bin/busybox ]]; then
  shim/train-aot.sh >/dev/null 2>&1 || echo "train-aot: the shim's AOT cache was not built (shim/train-aot.sh failed); shims start slower" >&2
  bin/jrunc-aot-train >/dev/null 2>&1 || echo "train-aot: jrunc's AOT caches were not built (bin/jrunc-aot-train failed); containers start slower" >&2
  ls shim/target/*.aot runtime-oci/target/*.aot 2>/dev/null | sed 's/^/AOT cache: /'
fi
