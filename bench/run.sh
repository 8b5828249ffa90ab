#!/usr/bin/env bash
# jcontainerd vs containerd 1.6 (+ runc) on this machine, in one run, as ratios.
# Usage (root): bench/run.sh [--runs N]      Output: a table on stdout and bench/results/<time>.txt
# It installs the Debian peers, builds jcontainerd (with its AOT caches), starts both daemons on
# private sockets and directories under a temp dir, and stops exactly the PIDs it started.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=20
[[ "${1:-}" == "--runs" ]] && runs="$2"
[[ $EUID -eq 0 ]] || { echo "bench: run as root" >&2; exit 1; }

scripts/install-deps.sh
[[ "${BENCH_SKIP_BUILD:-}" == 1 ]] || scripts/build.sh

tmp="$(mktemp -d /tmp/jcd-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  umount -R "$tmp" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- daemons -------------------------------------------------------------------------------
containerd_config() {
  cat >"$tmp/containerd.toml" <<TOML
version = 2
root = "$tmp/containerd/root"
state = "$tmp/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$tmp/containerd/containerd.sock"
[ttrpc]
  address = "$tmp/containerd/containerd.sock.ttrpc"
[debug]
  address = "$tmp/containerd/debug.sock"
TOML
}
containerd_config
CTR_SOCK="$tmp/containerd/containerd.sock"
JCD_SOCK="$tmp/jcd/state/jcontainerd.sock"

now_ms() { date +%s%3N; }
# wait_rpc SOCK: until Version answers on SOCK (probed with Debian's ctr for both daemons).
wait_rpc() {
  for _ in $(seq 1 3000); do
    ctr -a "$1" version >/dev/null 2>&1 && return 0
    sleep 0.005
  done
  echo "bench: nothing answered on $1" >&2; return 1
}
start_containerd() { containerd --config "$tmp/containerd.toml" >>"$tmp/containerd.log" 2>&1 & echo $!; }
start_jcd() { bin/jcontainerd --root "$tmp/jcd/root" --state "$tmp/jcd/state" >>"$tmp/jcd.log" 2>&1 & echo $!; }
stop_pid() { kill -TERM "$1"; wait "$1" 2>/dev/null || true; }

# startup NAME: median ms from launch to first answered Version RPC over 5 starts.
startup() {
  local samples=() t0 pid
  for _ in 1 2 3 4 5; do
    t0=$(now_ms)
    if [[ $1 == jcd ]]; then pid=$(start_jcd); wait_rpc "$JCD_SOCK"; else pid=$(start_containerd); wait_rpc "$CTR_SOCK"; fi
    samples+=($(( $(now_ms) - t0 )))
    stop_pid "$pid"
  done
  printf '%s\n' "${samples[@]}" | sort -n | sed -n 3p
}

rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss_mb() { awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup"; }

# median_ms CMD...: hyperfine median of $runs runs, in ms.
median_ms() {
  hyperfine -N -w "${WARMUP:-3}" -r "${RUNS:-$runs}" --export-json "$tmp/h.json" "$*" >/dev/null 2>&1 \
    || { echo "bench: failed: $* ->" >&2; "$@" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$tmp/h.json"
}

echo "bench: measuring start-up (5 starts each)..." >&2
jcd_start=$(startup jcd)
ctd_start=$(startup containerd)

jcd_pid=$(start_jcd); pids+=("$jcd_pid"); wait_rpc "$JCD_SOCK"
ctd_pid=$(start_containerd); pids+=("$ctd_pid"); wait_rpc "$CTR_SOCK"

echo "bench: measuring the CLI round trip ($runs runs each)..." >&2
jctr_version=$(median_ms bin/jctr -a "$JCD_SOCK" version)
ctr_version=$(median_ms ctr -a "$CTR_SOCK" version)
ctr_on_jcd=$(median_ms ctr -a "$JCD_SOCK" version)
jctr_ns=$(median_ms bin/jctr -a "$JCD_SOCK" namespaces ls)
ctr_ns=$(median_ms ctr -a "$CTR_SOCK" namespaces ls)

sleep 2
jcd_rss=$(rss_mb "$jcd_pid"); ctd_rss=$(rss_mb "$ctd_pid")
jcd_pss=$(pss_mb "$jcd_pid"); ctd_pss=$(pss_mb "$ctd_pid")

# --- pull + unpack (issues 3 and 4) ------------------------------------------------------------
# pull_bench: the test registry (scripts/test-registry.sh) on loopback, mapped as docker.io by its
# certs.d; a second jcontainerd whose [registry] config_path points there (it pulls server-side,
# driven by jctr); containerd's ctr pulls client-side with --hosts-dir into containerd. Every
# sample starts from an empty store (images rm --sync first); median of 3. Unpack throughput is
# measured on its own: blobs fetched first (--no-unpack / ctr content fetch), then a pull that
# only unpacks, MB of uncompressed layers per second.
pull_time_ms() { # pull_time_ms CMD...: wall ms of a command that must succeed
  local t0; t0=$(now_ms)
  "$@" >/dev/null 2>>"$tmp/pull-errors.log" || { echo "bench: failed: $* (see $tmp/pull-errors.log)" >&2; return 1; }
  echo $(( $(now_ms) - t0 ))
}
median3() { sort -n | sed -n 2p; }
pull_bench() {
  local reg="$tmp/registry" hosts jsock ref img i
  JCD_TEST_REGISTRY_OWNER=$$ scripts/test-registry.sh start "$reg" >/dev/null
  hosts="$reg/certs.d"
  printf '[registry]\nconfig_path = "%s"\n' "$hosts" >"$tmp/jcd-pull.toml"
  bin/jcontainerd --config "$tmp/jcd-pull.toml" --root "$tmp/jcdpull/root" --state "$tmp/jcdpull/state" \
    >>"$tmp/jcdpull.log" 2>&1 &
  jcdpull_pid=$!; pids+=("$jcdpull_pid")
  jsock="$tmp/jcdpull/state/jcontainerd.sock"
  wait_rpc "$jsock"
  local jctr=(bin/jctr -a "$jsock") ctr=(ctr -a "$CTR_SOCK")
  # one untimed pull each, so neither side's first-use costs land in the samples
  ref=docker.io/library/busybox:latest
  "${jctr[@]}" images pull "$ref" >/dev/null; "${jctr[@]}" images rm --sync "$ref" >/dev/null
  "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref" >/dev/null; "${ctr[@]}" images rm --sync "$ref" >/dev/null
  for img in busybox large; do
    ref="docker.io/library/$img:latest"
    local js=() cs=()
    for i in 1 2 3; do
      "${jctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
      js+=("$(pull_time_ms "${jctr[@]}" images pull "$ref")")
      "${ctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
      cs+=("$(pull_time_ms "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref")")
    done
    printf -v "pull_jcd_$img" '%s' "$(printf '%s\n' "${js[@]}" | median3)"
    printf -v "pull_ctd_$img" '%s' "$(printf '%s\n' "${cs[@]}" | median3)"
  done
  # the same client on both sides: ctr pulls client-side into jcontainerd (Content.Write, Diff.Apply, ...)
  for img in busybox large; do
    ref="docker.io/library/$img:latest"
    local cj=()
    for i in 1 2 3; do
      ctr -a "$jsock" images rm --sync "$ref" >/dev/null 2>&1 || true
      cj+=("$(pull_time_ms ctr -a "$jsock" images pull --hosts-dir "$hosts" "$ref")")
    done
    printf -v "pull_ctr_on_jcd_$img" '%s' "$(printf '%s\n' "${cj[@]}" | median3)"
  done
  ref=docker.io/library/large:latest
  local ju=() cu=()
  for i in 1 2 3; do
    "${jctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
    "${jctr[@]}" images pull --no-unpack "$ref" >/dev/null
    ju+=("$(pull_time_ms "${jctr[@]}" images pull "$ref")")
    "${ctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
    "${ctr[@]}" content fetch --hosts-dir "$hosts" "$ref" >/dev/null
    cu+=("$(pull_time_ms "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref")")
  done
  local mb
  mb=$(python3 - "${JCD_TEST_IMAGE_CACHE:-/var/cache/jcontainerd-test/images}" <<'PY'
import gzip, json, os, sys
lay = sys.argv[1]
blob = lambda d: os.path.join(lay, "blobs", *d.split(":"))
ref = [m for m in json.load(open(os.path.join(lay, "index.json")))["manifests"]
       if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "large:latest"][0]
total = 0
for layer in json.load(open(blob(ref["digest"])))["layers"]:
    with gzip.open(blob(layer["digest"])) as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
print("%.1f" % (total / 1048576))
PY
)
  unpack_jcd_mbs=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) / (float(sys.argv[2]) / 1000)))' "$mb" "$(printf '%s\n' "${ju[@]}" | median3)")
  unpack_ctd_mbs=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) / (float(sys.argv[2]) / 1000)))' "$mb" "$(printf '%s\n' "${cu[@]}" | median3)")
  large_mb=$mb
  pull_jcd_hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$jcdpull_pid/status")
  pull_ctd_hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$ctd_pid/status")
  scripts/test-registry.sh stop "$reg" >/dev/null
}
echo "bench: measuring pull + unpack (median of 3, cold store each)..." >&2
pull_bench

# --- containers (issue 6) ----------------------------------------------------------------------
# run_bench: the same client (Debian's ctr) against both daemons, so the figures compare daemon +
# shim + runtime (jcontainerd: jcontainerd-shim + jrunc; containerd: containerd-shim-runc-v2 + runc).
# busybox comes from the loopback test registry through ctr --hosts-dir into each daemon.
run_bench() {
  local reg="$tmp/registry-run" hosts ref=docker.io/library/busybox:latest n=5 sock name i t0 pss
  JCD_TEST_REGISTRY_OWNER=$$ scripts/test-registry.sh start "$reg" >/dev/null
  hosts="$reg/certs.d"
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    ctr -a "$sock" images pull --hosts-dir "$hosts" "$ref" >/dev/null
    ctr -a "$sock" run --rm "$ref" warmup true >/dev/null
  done
  run_jcd=$(WARMUP=1 RUNS=5 median_ms ctr -a "$JCD_SOCK" run --rm "$ref" rt true)
  run_ctd=$(WARMUP=1 RUNS=5 median_ms ctr -a "$CTR_SOCK" run --rm "$ref" rt true)
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    name=jcd; [[ $sock == "$CTR_SOCK" ]] && name=ctd
    t0=$(now_ms)
    for i in $(seq 1 $n); do ctr -a "$sock" run -d "$ref" "bench$i" sleep 1000 >/dev/null; done
    printf -v "start${n}_$name" '%s' "$(( $(now_ms) - t0 ))"
    sleep 2
    if [[ $name == jcd ]]; then
      pss=$(for i in $(seq 1 $n); do awk '/^Pss:/ {print $2}' "/proc/$(cat "$tmp/jcd/state/tasks/default/bench$i/shim.pid")/smaps_rollup"; done | awk '{s+=$1} END {printf "%.1f", s/NR/1024}')
    else
      pss=$(for i in $(seq 1 $n); do awk '/^Pss:/ {print $2}' "/proc/$(pgrep -f "containerd-shim-runc-v2 -namespace default -id bench$i ")/smaps_rollup"; done | awk '{s+=$1} END {printf "%.1f", s/NR/1024}')
    fi
    printf -v "shim_pss_$name" '%s' "$pss"
    t0=$(now_ms)
    for i in $(seq 1 $n); do
      ctr -a "$sock" tasks kill -s SIGKILL "bench$i" >/dev/null
      for _ in $(seq 1 200); do ctr -a "$sock" tasks ls | grep -q "^bench$i .*STOPPED" && break; sleep 0.05; done
      ctr -a "$sock" tasks rm "bench$i" >/dev/null; ctr -a "$sock" containers rm "bench$i" >/dev/null
    done
    printf -v "teardown${n}_$name" '%s' "$(( $(now_ms) - t0 ))"
  done
  run_n=$n
  scripts/test-registry.sh stop "$reg" >/dev/null
}
echo "bench: measuring container runs..." >&2
run_bench

# --- runtime (issue 5) and snapshots (issue 4) ------------------------------------------------
# runtime_bench: the same busybox bundle under runc and under jrunc: `run` of `true`, and
# create→start→(wait)→delete, median of $runs each.
runtime_bench() {
  local b="$tmp/bundle"
  mkdir -p "$b/rootfs/bin"
  cp /bin/busybox "$b/rootfs/bin/busybox"
  for a in true sh sleep; do ln -sf busybox "$b/rootfs/bin/$a"; done
  (cd "$b" && runc spec)
  python3 - "$b/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=1)
PY
  rt_runc=$(median_ms runc --root "$tmp/runc-root" run -b "$b" rb-runc)
  rt_jrunc=$(median_ms bin/jrunc --root "$tmp/jrunc-root" run -b "$b" rb-jrunc)
  # create, start, wait for the exit, delete: one script so hyperfine times the whole sequence
  cat >"$tmp/csd.sh" <<CSD
#!/bin/bash
set -e
"\$1" --root "\$2" create -b "$b" "\$3" >/dev/null
"\$1" --root "\$2" start "\$3" >/dev/null
for _ in \$(seq 1 400); do "\$1" --root "\$2" state "\$3" 2>/dev/null | grep -q '"stopped"' && break; sleep 0.005; done
"\$1" --root "\$2" delete "\$3" >/dev/null
CSD
  csd_runc=$(median_ms bash "$tmp/csd.sh" /usr/sbin/runc "$tmp/runc-root" cs-runc)
  csd_jrunc=$(median_ms bash "$tmp/csd.sh" "$PWD/bin/jrunc" "$tmp/jrunc-root" cs-jrunc)
}
echo "bench: measuring the runtime (jrunc vs runc)..." >&2
runtime_bench

# snapshot_bench: prepare + mount + unmount + remove of an overlay snapshot on a committed parent,
# through the same client (ctr) against each daemon, median of 100.
snapshot_bench() {
  local sock name i t0 samples m="$tmp/snapmnt"
  mkdir -p "$m"
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    name=jcd; [[ $sock == "$CTR_SOCK" ]] && name=ctd
    ctr -a "$sock" snapshots prepare snapbase >/dev/null && ctr -a "$sock" snapshots commit snapparent snapbase >/dev/null
    samples=()
    for i in $(seq 1 100); do
      t0=$(date +%s%N)
      ctr -a "$sock" snapshots prepare "s$i" snapparent >/dev/null
      eval "$(ctr -a "$sock" snapshots mounts "$m" "s$i")"
      umount "$m"
      ctr -a "$sock" snapshots rm "s$i" >/dev/null
      samples+=($(( ($(date +%s%N) - t0) / 1000000 )))
    done
    ctr -a "$sock" snapshots rm snapparent >/dev/null
    printf -v "snap_$name" '%s' "$(printf '%s\n' "${samples[@]}" | sort -n | sed -n 50p)"
  done
}
echo "bench: measuring snapshot prepare+mount+remove (100 each)..." >&2
snapshot_bench

ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print("%.2fx" % (a/b) if b else "-")' "$1" "$2"; }
mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "jcontainerd vs containerd $(containerd --version | awk '{print $3}') on $(nproc) cores, $(date -u +%FT%TZ); medians"
  printf '%-44s %12s %12s %8s\n' "metric" "jcontainerd" "containerd" "ratio"
  row() { printf '%-44s %12s %12s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
  row "CLI version round trip, jctr vs ctr (ms)" "$jctr_version" "$ctr_version"
  row "ctr version against each daemon (ms)" "$ctr_on_jcd" "$ctr_version"
  row "CLI namespaces ls, jctr vs ctr (ms)" "$jctr_ns" "$ctr_ns"
  row "daemon start to first answered RPC (ms)" "$jcd_start" "$ctd_start"
  row "daemon RSS idle (MB)" "$jcd_rss" "$ctd_rss"
  row "daemon PSS idle (MB)" "$jcd_pss" "$ctd_pss"
  row "pull+unpack busybox, jctr vs ctr (ms)" "$pull_jcd_busybox" "$pull_ctd_busybox"
  row "pull+unpack large ${large_mb} MiB, jctr vs ctr (ms)" "$pull_jcd_large" "$pull_ctd_large"
  row "pull+unpack busybox, ctr into each daemon (ms)" "$pull_ctr_on_jcd_busybox" "$pull_ctd_busybox"
  row "pull+unpack large, ctr into each daemon (ms)" "$pull_ctr_on_jcd_large" "$pull_ctd_large"
  row "unpack only large, MB/s (higher is better)" "$unpack_jcd_mbs" "$unpack_ctd_mbs"
  row "daemon peak RSS after the pulls (MB)" "$pull_jcd_hwm" "$pull_ctd_hwm"
  row "ctr run --rm busybox true, each daemon (ms)" "$run_jcd" "$run_ctd"
  row "$run_n detached sleep containers started (ms)" "$(eval echo \$start${run_n}_jcd)" "$(eval echo \$start${run_n}_ctd)"
  row "shim PSS per running container (MB)" "$shim_pss_jcd" "$shim_pss_ctd"
  row "teardown of $run_n containers (ms)" "$(eval echo \$teardown${run_n}_jcd)" "$(eval echo \$teardown${run_n}_ctd)"
  row "runtime run true, jrunc vs runc (ms)" "$rt_jrunc" "$rt_runc"
  row "runtime create+start+delete, jrunc vs runc (ms)" "$csd_jrunc" "$csd_runc"
  row "snapshot prepare+mount+rm via ctr, each (ms)" "$snap_jcd" "$snap_ctd"
} | tee "$out"
