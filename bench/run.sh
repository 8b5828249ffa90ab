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
  hyperfine -N -w 3 -r "$runs" --export-json "$tmp/h.json" "$*" >/dev/null 2>&1
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
} | tee "$out"
