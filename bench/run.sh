#!/usr/bin/env bash
# jcontainerd vs containerd 1.6 (+ runc), and its Docker API facade vs dockerd 20.10 (docker CLI 28),
# on this machine, in one run, as ratios (bench/README.md).
# Usage (root): bench/run.sh [--quick] [--runs N] [--containers N] [--only cri|containers]
#   --quick          smoke test: 5 runs per median, 5 containers, 1 pull sample, 20 snapshots
#   --runs N         samples per hyperfine median and per runtime step (default 20)
#   --containers N   detached containers started, measured and torn down per client (default 20)
#   --only cri       only the CRI pod rows (jcontainerd's CRI vs containerd 1.6's cri plugin)
#   --only containers  only the container rows (run --rm, detached starts, shim memory, teardown)
# BENCH_SKIP_BUILD=1 measures the jars already built. Output: a table on stdout and in
# bench/results/<time>.txt. It installs the Debian peers, builds jcontainerd (with its AOT caches),
# starts both daemons on private sockets and directories under a temp dir, stops exactly the PIDs it
# started, and removes every container, mount, cgroup and shim it made, also when interrupted.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mode=full runs=20 n=20 starts=5 pull_samples=3 snap_samples=100 settle=3 only=""
while (($#)); do
  case "$1" in
    --quick) mode=quick runs=5 n=5 starts=3 pull_samples=1 snap_samples=20 settle=2; shift ;;
    --runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs needs a positive number" >&2; exit 2; }; runs=$2; shift 2 ;;
    --containers) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench: --containers needs a positive number" >&2; exit 2; }; n=$2; shift 2 ;;
    --only) [[ ${2:-} == cri || ${2:-} == containers ]] \
              || { echo "bench: --only takes 'cri' (the CRI pod rows) or 'containers' (the container rows)" >&2; exit 2; }
            only=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1': use --quick, --runs N, --containers N or --only cri|containers (see --help)" >&2; exit 2 ;;
  esac
done
[[ $EUID -eq 0 ]] || { echo "bench: run as root (containers, mounts and cgroups need it)" >&2; exit 1; }

# stdout is the table alone: what installing and building print goes to stderr
scripts/install-deps.sh >&2
[[ "${BENCH_SKIP_BUILD:-}" == 1 ]] || scripts/build.sh >&2

source bench/lib/common.sh
source bench/lib/pull.sh
source bench/lib/containers.sh
source bench/lib/runtime.sh
source bench/lib/snapshots.sh
source bench/lib/docker.sh
source bench/lib/cri.sh

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
ours_before=$(ours)
machine_before=$(machine)

# startup KIND: median ms from launch to first answered Version RPC over $starts starts, in $startup_ms
# (not run in a subshell: the daemons it starts must stay known to the cleanup).
startup() {
  local samples=() t0 sock
  for _ in $(seq 1 "$starts"); do
    t0=$(now_ms)
    if [[ $1 == jcd ]]; then start_jcd; sock=$JCD_SOCK; else start_containerd; sock=$CTR_SOCK; fi
    wait_rpc "$sock"
    samples+=($(( $(now_ms) - t0 )))
    stop_pid "$started"
  done
  startup_ms=$(printf '%s\n' "${samples[@]}" | median)
}
rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss_mb() { awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup"; }

echo "bench: $mode run ($runs runs per median, $n containers), load average $load_start" >&2
if [[ -z $only ]]; then
echo "bench: measuring start-up ($starts starts each)..." >&2
startup jcd; jcd_start=$startup_ms
startup containerd; ctd_start=$startup_ms

start_jcd; jcd_pid=$started; wait_rpc "$JCD_SOCK"
start_containerd; ctd_pid=$started; wait_rpc "$CTR_SOCK"

echo "bench: measuring the CLI round trip ($runs runs each)..." >&2
hello_world
# shellcheck disable=SC2086
hello_ms=$(median_ms $HELLO); hello_cpu=$(cpu_ms)
jctr_version=$(median_ms bin/jctr -a "$JCD_SOCK" version); jctr_version_cpu=$(cpu_ms)
ctr_version=$(median_ms ctr -a "$CTR_SOCK" version); ctr_version_cpu=$(cpu_ms)
ctr_on_jcd=$(median_ms ctr -a "$JCD_SOCK" version)
jctr_ns=$(median_ms bin/jctr -a "$JCD_SOCK" namespaces ls); jctr_ns_cpu=$(cpu_ms)
ctr_ns=$(median_ms ctr -a "$CTR_SOCK" namespaces ls); ctr_ns_cpu=$(cpu_ms)

sleep 2
jcd_rss=$(rss_mb "$jcd_pid"); ctd_rss=$(rss_mb "$ctd_pid")
jcd_pss=$(pss_mb "$jcd_pid"); ctd_pss=$(pss_mb "$ctd_pid")

echo "bench: measuring pull + unpack (median of $pull_samples, cold store each)..." >&2
pull_bench
fi
if [[ -z $only || $only == containers ]]; then
[[ -n ${jcd_pid:-} ]] || { start_jcd; jcd_pid=$started; wait_rpc "$JCD_SOCK"; }
[[ -n ${ctd_pid:-} ]] || { start_containerd; ctd_pid=$started; wait_rpc "$CTR_SOCK"; }
echo "bench: measuring containers..." >&2
containers_bench
fi
if [[ -z $only ]]; then
echo "bench: measuring the runtime (jrunc vs runc)..." >&2
runtime_bench
echo "bench: measuring snapshot prepare+mount+remove ($snap_samples each)..." >&2
snapshot_bench
echo "bench: measuring the Docker API: docker CLI against the facade and against dockerd..." >&2
docker_bench
fi
if [[ -z $only || $only == cri ]]; then
echo "bench: measuring the CRI: pod start and teardown against jcontainerd and containerd's cri plugin..." >&2
cri_bench
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cleanup
ours_after=$(ours)
machine_after=$(machine)

ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print("%.2fx" % (a/b) if b else "-")' "$1" "$2"; }
mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$mode${only:+-$only}.txt"
{
  echo "jcontainerd $(git rev-parse --short HEAD) vs containerd $(containerd --version | awk '{print $3}') + runc $(runc --version | awk 'NR==1 {print $3}')" \
       "on $(nproc) cores, $(date -u +%FT%TZ), $mode${only:+ (only $only)}: medians of $runs, $n containers"
  echo "load average (1, 5, 15 min): start $load_start, end $load_end"
  printf '%-64s %11s %11s %7s\n' "metric" "jcontainerd" "containerd" "ratio"
  row() { printf '%-64s %11s %11s %7s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
  if [[ -z $only ]]; then
  row "CLI version round trip, jctr vs ctr (ms)" "$jctr_version" "$ctr_version"
  row "CLI version round trip, jctr vs JVM hello world (ms)" "$jctr_version" "$hello_ms"
  row "CLI version CPU user+sys, jctr vs ctr (ms)" "$jctr_version_cpu" "$ctr_version_cpu"
  row "CLI version CPU user+sys, jctr vs JVM hello world (ms)" "$jctr_version_cpu" "$hello_cpu"
  row "ctr version against each daemon (ms)" "$ctr_on_jcd" "$ctr_version"
  row "CLI namespaces ls, jctr vs ctr (ms)" "$jctr_ns" "$ctr_ns"
  row "CLI namespaces ls, jctr vs JVM hello world (ms)" "$jctr_ns" "$hello_ms"
  row "CLI namespaces ls CPU user+sys, jctr vs ctr (ms)" "$jctr_ns_cpu" "$ctr_ns_cpu"
  row "CLI namespaces ls CPU user+sys, jctr vs JVM hello world (ms)" "$jctr_ns_cpu" "$hello_cpu"
  row "daemon start to first answered RPC (ms)" "$jcd_start" "$ctd_start"
  row "daemon start to first answered RPC vs JVM hello world (ms)" "$jcd_start" "$hello_ms"
  row "daemon RSS idle (MB)" "$jcd_rss" "$ctd_rss"
  row "daemon PSS idle (MB)" "$jcd_pss" "$ctd_pss"
  row "pull+unpack busybox, jctr vs ctr (ms)" "$pull_jcd_busybox" "$pull_ctd_busybox"
  row "pull+unpack large ${large_mb} MiB, jctr vs ctr (ms)" "$pull_jcd_large" "$pull_ctd_large"
  row "pull+unpack busybox, ctr into each daemon (ms)" "$pull_ctr_on_jcd_busybox" "$pull_ctd_busybox"
  row "pull+unpack large, ctr into each daemon (ms)" "$pull_ctr_on_jcd_large" "$pull_ctd_large"
  row "unpack only large, MB/s (higher is better)" "$unpack_jcd_mbs" "$unpack_ctd_mbs"
  row "daemon peak RSS after the pulls (MB)" "$pull_jcd_hwm" "$pull_ctd_hwm"
  fi
  if [[ -z $only || $only == containers ]]; then
  row "run --rm busybox true, jctr vs ctr (ms)" "$run_rm_jctr" "$run_rm_ctd"
  row "run --rm busybox true, ctr against each daemon (ms)" "$run_rm_ctrjcd" "$run_rm_ctd"
  row "$n detached sleep started one after another, jctr vs ctr (ms)" "$start_seq_jctr" "$start_seq_ctd"
  row "$n detached sleep started one after another, ctr each (ms)" "$start_seq_ctrjcd" "$start_seq_ctd"
  row "$n detached sleep started in parallel, jctr vs ctr (ms)" "$start_par_jctr" "$start_par_ctd"
  row "$n detached sleep started in parallel, ctr each (ms)" "$start_par_ctrjcd" "$start_par_ctd"
  row "shim RSS/container, $n running ($shim_procs_jctr shims incl. spares), jctr (MB)" "$shim_rss_jctr" "$shim_rss_ctd"
  row "shim PSS/container, $n running ($shim_procs_jctr shims incl. spares), jctr (MB)" "$shim_pss_jctr" "$shim_pss_ctd"
  row "shim RSS/container, $n running ($shim_procs_ctrjcd shims incl. spares), ctr (MB)" "$shim_rss_ctrjcd" "$shim_rss_ctd"
  row "shim PSS/container, $n running ($shim_procs_ctrjcd shims incl. spares), ctr (MB)" "$shim_pss_ctrjcd" "$shim_pss_ctd"
  row "teardown of $n (tasks rm -f + containers rm), jctr vs ctr (ms)" "$teardown_jctr" "$teardown_ctd"
  row "teardown of $n (tasks rm -f + containers rm), ctr each (ms)" "$teardown_ctrjcd" "$teardown_ctd"
  fi
  if [[ -z $only ]]; then
  row "runtime run true, jrunc vs runc (ms)" "$rt_jrunc" "$rt_runc"
  row "runtime create, jrunc vs runc (ms)" "$cycle_create_jrunc" "$cycle_create_runc"
  row "runtime start, jrunc vs runc (ms)" "$cycle_start_jrunc" "$cycle_start_runc"
  row "runtime delete, jrunc vs runc (ms)" "$cycle_delete_jrunc" "$cycle_delete_runc"
  row "runtime create+start+delete per cycle, jrunc vs runc (ms)" "$cycle_sum_jrunc" "$cycle_sum_runc"
  row "snapshot prepare+mount+rm via ctr, each (ms)" "$snap_jcd" "$snap_ctd"
  echo "docker CLI $("$DOCKER_CLI" --version | awk '{print $3}' | tr -d ,) against jcontainerd's facade (jcontainerd column) and dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) + containerd + runc (containerd column):"
  row "docker run --rm busybox true, default bridge (ms)" "$docker_run_bridge_jdk" "$docker_run_bridge_dkd"
  row "docker run --rm busybox true, --network none (ms)" "$docker_run_none_jdk" "$docker_run_none_dkd"
  row "docker run --rm busybox true, --network host (ms)" "$docker_run_host_jdk" "$docker_run_host_dkd"
  row "docker network set-up+teardown per container, bridge - none (ms)" "$docker_netcost_jdk" "$docker_netcost_dkd"
  row "docker stack RSS, 10 sleeping ($docker_shims_jdk vs $docker_shims_dkd shims) (MB)" "$docker_rss_jdk" "$docker_rss_dkd"
  row "docker stack PSS, 10 sleeping ($docker_shims_jdk vs $docker_shims_dkd shims) (MB)" "$docker_pss_jdk" "$docker_pss_dkd"
  row "docker ps -a, 100 created containers (ms)" "$docker_ps_jdk" "$docker_ps_dkd"
  row "docker logs of 100 MiB to /dev/null (ms)" "$docker_logs_jdk" "$docker_logs_dkd"
  echo "JVM hello world: bench/lib/Hello.java run as \`java -XX:AOTCache=hello.aot -jar hello.jar\` (median $hello_ms ms, CPU $hello_cpu ms);"
  echo "in its rows it stands in the containerd column. CPU rows: mean user+sys of the same hyperfine runs."
  fi
  if [[ -z $only || $only == containers ]]; then
  echo "shims: jcontainerd's = every jcontainerd-shim process of the daemon (spares and group shims included);"
  echo "containerd's = its $shim_procs_ctd containerd-shim-runc-v2 processes."
  fi
  if [[ -z $only || $only == cri ]]; then
  echo "CRI (the same grpc-java client, bench/lib/CriBench.java) against jcontainerd and containerd $(containerd --version | awk '{print $3}')'s cri plugin, medians of $runs pods after 2 warm-ups:"
  row "CRI pod start: RunPodSandbox+Create+StartContainer, pod net (ms)" "$cri_start_pod_jcd" "$cri_start_pod_ctd"
  row "CRI pod teardown: StopPodSandbox+RemovePodSandbox, pod net (ms)" "$cri_teardown_pod_jcd" "$cri_teardown_pod_ctd"
  row "CRI pod start, hostNetwork (ms)" "$cri_start_host_jcd" "$cri_start_host_ctd"
  row "CRI pod teardown, hostNetwork (ms)" "$cri_teardown_host_jcd" "$cri_teardown_host_ctd"
  fi
  echo "Ratios are jcontainerd / containerd."
  echo "left by this run, before: $ours_before; after: $ours_after"
  echo "left when the daemons had stopped, removed by hand: $left_by_daemons"
  echo "machine-wide (other sessions too), before: $machine_before; after: $machine_after"
} | tee "$out"
[[ $ours_after == "mounts=0 shims=0 cgroups=0 runtime-states=0 daemons=0" ]] \
  || { echo "bench: this run left something behind: $ours_after" >&2; exit 1; }
