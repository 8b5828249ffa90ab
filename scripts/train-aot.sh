#!/usr/bin/env bash
# Records AOT caches (JEP 483/514) for jcontainerd and jctr with one training run each against a
# throw-away daemon; the launchers in bin/ use a cache only while it is newer than its jar.
# jctr has three caches, each trained in one JVM (ctr/.../AotTraining.java). bin/jctr uses jctr-base.aot
# for version, --version and namespaces ls, on which alone it is trained (a labelled namespace, so that
# ls parses labels): a JVM loads all of a cache's classes at start, and this one has no picocli (their
# plain forms run without it: ctr/.../ShortCommand.java), no Jackson and no run/pull classes. jctr.aot,
# for every other command, is trained on the commands users time: version, the ls commands and, as
# root with the test images already built (scripts/test-images.sh), a pull of busybox from the loopback
# test registry and a `run --rm` of it, which the daemon then learns too. jctr-run.aot, for run, is
# trained on one plain `run --rm` alone (as root with the test images), after jctr.aot's pull.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
tmp="$(mktemp -d /tmp/jcd-aot.XXXXXX)"
sock="$tmp/state/jcontainerd.sock"
id="aot-train-$$"
daemon_pid=""
cleanup() {
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    timeout 60 bin/jctr -a "$sock" tasks rm -f "$id" >/dev/null 2>&1 || true
    timeout 60 bin/jctr -a "$sock" containers rm "$id" >/dev/null 2>&1 || true
    kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
  fi
  [[ -d "$tmp/registry" ]] && scripts/test-registry.sh stop "$tmp/registry" >/dev/null 2>&1 || true
  grep -F "$tmp/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# failed LOG: a training step failed: its log and the end of the daemon's, then stop
failed() { cat "$1" >&2; echo "train-aot: the daemon's log ends:" >&2; tail -n 20 "$tmp/daemon.log" >&2; exit 1; }
rm -f supervisor/target/jcontainerd.aot ctr/target/jctr.aot ctr/target/jctr-base.aot ctr/target/jctr-run.aot
# picocli's Java 5 class files cannot go into an AOT cache as they are: rewrite them as Java 8 ones
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" scripts/ClassFileUpgrade.java supervisor/target/jcontainerd.jar ctr/target/jctr.jar

daemon_args=(--root "$tmp/root" --state "$tmp/state")
ref=docker.io/library/busybox:latest
container_lines=()
images="${JCD_TEST_IMAGE_CACHE:-/var/cache/jcontainerd-test/images}"
if [[ $EUID -eq 0 && -f "$images/jcontainerd-fixture.key" ]] && command -v docker-registry >/dev/null \
   && JCD_TEST_REGISTRY_OWNER=$$ JCD_TEST_REGISTRY_STORAGE="${JCD_TEST_REGISTRY_STORAGE:-/var/cache/jcontainerd-test/registry}" \
      scripts/test-registry.sh start "$tmp/registry" >"$tmp/registry.log" 2>&1; then
  printf '[registry]\nconfig_path = "%s"\n' "$tmp/registry/certs.d" >"$tmp/jcontainerd.toml"
  daemon_args+=(--config "$tmp/jcontainerd.toml")
  # optional (?): a failure here leaves a cache trained on the rest, with a warning
  container_lines=("?-a $sock images pull $ref" "?-a $sock run --rm $ref $id true")
else
  echo "train-aot: jctr is trained without pull and run (needs root and the test images: scripts/test-images.sh)" >&2
fi

JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/supervisor/target/jcontainerd.aot" \
  setsid bin/jcontainerd "${daemon_args[@]}" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do [[ -S "$sock" ]] && break; sleep 0.1; done
# the labelled namespace that `namespaces ls` parses is made and removed outside the training JVM:
# `create` and `rm` are picocli's, whose classes the base cache leaves out
bin/jctr -a "$sock" namespaces create "$id" jcontainerd.train=1 >"$tmp/jctr-base.log" 2>&1 \
  || failed "$tmp/jctr-base.log"
JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/ctr/target/jctr-base.aot -Djctr.train=true" bin/jctr \
  "-a $sock version" "--version" "-a $sock namespaces ls" "-a $sock namespaces ls -q" </dev/null >>"$tmp/jctr-base.log" 2>&1 \
  || failed "$tmp/jctr-base.log"
bin/jctr -a "$sock" namespaces rm "$id" >>"$tmp/jctr-base.log" 2>&1 \
  || failed "$tmp/jctr-base.log"
JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/ctr/target/jctr.aot -Djctr.train=true" bin/jctr \
  "-a $sock version" "-a $sock namespaces ls" "${container_lines[@]}" \
  "-a $sock images ls" "-a $sock containers ls" "-a $sock tasks ls" </dev/null >"$tmp/jctr.log" 2>&1 \
  || failed "$tmp/jctr.log"
grep -F "jctr training:" "$tmp/jctr.log" | sed 's/^/train-aot: /' >&2 || true
# jctr-run.aot: the plain `run --rm` alone (ShortCommand's, without picocli), once the image is there
if ((${#container_lines[@]})) && bin/jctr -a "$sock" images ls -q 2>/dev/null | grep -qxF "$ref"; then
  JCD_JAVA_OPTS="-XX:AOTCacheOutput=$PWD/ctr/target/jctr-run.aot -Djctr.train=true" bin/jctr \
    "?-a $sock run --rm $ref $id true" </dev/null >"$tmp/jctr-run.log" 2>&1 || failed "$tmp/jctr-run.log"
  grep -F "jctr training:" "$tmp/jctr-run.log" | sed 's/^/train-aot: jctr-run.aot: /' >&2 || true
fi
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
for f in supervisor/target/jcontainerd.aot ctr/target/jctr.aot ctr/target/jctr-base.aot; do
  [[ -f "$f" ]] || { echo "train-aot: $f was not written; the daemon's log ends:" >&2; tail -n 20 "$tmp/daemon.log" >&2; exit 1; }
done
echo "AOT caches: $(du -h supervisor/target/jcontainerd.aot ctr/target/jctr*.aot | awk '{print $2" "$1}' | paste -sd' ')"

# The shim and jrunc caches need a container run to train on (root, busybox-static, runc).
if [[ $EUID -eq 0 && -x /bin/busybox ]]; then
  # their output is kept and its end shown when one fails (a shim training failed once in session 10, its cause unknown)
  shim/train-aot.sh >"$tmp/shim-train.log" 2>&1 || { echo "train-aot: the shim's AOT cache was not built (shim/train-aot.sh failed); shims start slower; its output ends:" >&2; tail -n 20 "$tmp/shim-train.log" >&2; }
  bin/jrunc-aot-train >"$tmp/jrunc-train.log" 2>&1 || { echo "train-aot: jrunc's AOT caches were not built (bin/jrunc-aot-train failed); containers start slower; its output ends:" >&2; tail -n 20 "$tmp/jrunc-train.log" >&2; }
  ls shim/target/*.aot runtime-oci/target/*.aot 2>/dev/null | sed 's/^/AOT cache: /'
fi
