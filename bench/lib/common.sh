# Shared by bench/run.sh and bench/lib/*.sh: the run's temp dir and tag, timing helpers, the two
# daemons, finding the shims of our daemons, and the cleanup that leaves nothing behind.
# shellcheck shell=bash

tmp="$(mktemp -d /tmp/jcd-bench.XXXXXX)"
# Every process this run starts inherits the tag (daemons pass their environment on to their shims),
# so our shims are told apart from those of other sessions without assumptions about their number.
export JCD_BENCH_RUN="$tmp"
TAG="JCD_BENCH_RUN=$tmp"
# Container ids: the runtime roots (/run/jrunc/<ns>, /run/containerd/runc/<ns>) and the cgroups
# /<ns>/<id> are shared with other sessions, so every id of this run starts with this prefix.
ID="jb$$"
CTR_SOCK="$tmp/containerd/containerd.sock"
JCD_SOCK="$tmp/jcd/state/jcontainerd.sock"
pids=()        # daemons this run started and has not stopped yet
clients=()     # clients running in the background (parallel starts); they ignore Ctrl-C
registries=()  # test registry state dirs this run started

now_ms() { date +%s%3N; }
now_ns() { date +%s%N; }
# median: of the numbers on stdin (the mean of the middle two for an even count)
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# median_ms CMD...: hyperfine median of RUNS runs (WARMUP warm-ups first), in ms.
median_ms() {
  hyperfine -N -w "${WARMUP:-3}" -r "${RUNS:-$runs}" --export-json "$tmp/h.json" "$*" >/dev/null 2>&1 \
    || { echo "bench: failed: $* ->" >&2; "$@" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$tmp/h.json"
}

# cpu_ms: mean user+sys CPU in ms of the last median_ms (its hyperfine JSON): unlike wall time, it
# hardly moves with the load other sessions put on the machine.
cpu_ms() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % ((r["user"]+r["system"])*1000))' "$tmp/h.json"
}

# hello_world: builds bench/lib/Hello.java into a jar with an AOT cache trained on one run (as
# scripts/train-aot.sh does for jctr), in $tmp/hello; sets HELLO to the command that runs it.
hello_world() {
  local java="${JCD_JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}" d="$tmp/hello"
  mkdir -p "$d/classes"
  "${java%/java}/javac" -d "$d/classes" bench/lib/Hello.java
  "${java%/java}/jar" --create --file "$d/hello.jar" --main-class Hello -C "$d/classes" .
  "$java" -XX:AOTCacheOutput="$d/hello.aot" -jar "$d/hello.jar" >/dev/null 2>"$d/train.log" \
    || { cat "$d/train.log" >&2; return 1; }
  HELLO="$java -XX:AOTCache=$d/hello.aot -jar $d/hello.jar"
}

# --- daemons -------------------------------------------------------------------------------------
mkdir -p "$tmp/containerd"
cat >"$tmp/containerd.toml" <<TOML
version = 2
root = "$tmp/containerd/root"
state = "$tmp/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[debug]
  address = "$tmp/containerd/debug.sock"
TOML

# wait_rpc SOCK: until Version answers on SOCK (probed with Debian's ctr for both daemons). The socket file is
# awaited first: ctr's dialer polls a missing socket for 1 s per attempt and then backs off ~1 s, so a daemon
# binding 1-2 s after the launch would read as ~2.05 s (README "Performance", daemon start session 9).
wait_rpc() {
  for _ in $(seq 1 6000); do [[ -S "$1" ]] && break; sleep 0.005; done
  for _ in $(seq 1 3000); do
    ctr -a "$1" version >/dev/null 2>&1 && return 0
    sleep 0.005
  done
  echo "bench: nothing answered on $1" >&2; return 1
}
# start_containerd / start_jcd / start_jcd_with ARGS...: start a daemon as our child, in a session of
# its own (so a Ctrl-C reaches only us, and the cleanup can still remove containers through it); its
# PID in $started (setsid execs in place: a background job is no process group leader).
start_containerd() { setsid containerd --config "$tmp/containerd.toml" >>"$tmp/containerd.log" 2>&1 & started=$!; pids+=("$started"); }
# [docker] is on by default at /run/jcontainerd/docker.sock, a path other sessions' daemons hold: each
# daemon of the run serves its Docker API under $tmp instead (a second daemon on that path fails to start)
mkdir -p "$tmp/jcd" "$tmp/jcdpull"
printf '[docker]\naddress = "%s"\n' "$tmp/jcd/docker.sock" >"$tmp/jcd.toml"
start_jcd() { start_jcd_with --config "$tmp/jcd.toml" --root "$tmp/jcd/root" --state "$tmp/jcd/state"; }
start_jcd_with() { setsid bin/jcontainerd "$@" >>"$tmp/jcd.log" 2>&1 & started=$!; pids+=("$started"); }
# stop_pid PID: SIGTERM, up to 30 s to exit, then SIGKILL; only PIDs in $pids (ours, still unreaped).
stop_pid() {
  local p=$1 keep=() q
  for q in "${pids[@]}"; do [[ $q == "$p" ]] || keep+=("$q"); done
  [[ ${#keep[@]} -lt ${#pids[@]} ]] || return 0
  pids=("${keep[@]}")
  kill -TERM "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
  for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && { echo "bench: $p ignored SIGTERM for 30 s; SIGKILL" >&2; kill -KILL "$p"; }
  wait "$p" 2>/dev/null || true
}
# start_registry DIR: the loopback test registry (scripts/test-registry.sh) on the storage the tests
# fill too (pushed once per image set); killed with us in any case.
start_registry() {
  registries+=("$1")
  JCD_TEST_REGISTRY_OWNER=$$ JCD_TEST_REGISTRY_STORAGE="${JCD_TEST_REGISTRY_STORAGE:-/var/cache/jcontainerd-test/registry}" \
    scripts/test-registry.sh start "$1" >/dev/null
}

# --- shims ---------------------------------------------------------------------------------------
# shim_pids jcd|ctd: every shim process of our daemons: jcd = each JVM running jcontainerd-shim (spare
# shims and group shims included), ctd = each containerd-shim-runc-v2. Found by our tag or our paths.
shim_pids() {
  local pat d
  if [[ $1 == jcd ]]; then pat=jcontainerd-shim; else pat=containerd-shim-runc-v2; fi
  for d in /proc/[0-9]*; do
    grep -qaF "$pat" "$d/cmdline" 2>/dev/null || continue
    if grep -qaF "$TAG" "$d/environ" 2>/dev/null || grep -qaF "$tmp/" "$d/cmdline" 2>/dev/null; then echo "${d#/proc/}"; fi
  done
}
# shim_memory jcd|ctd: "<RSS kB> <PSS kB> <processes>" summed over shim_pids (from smaps_rollup).
shim_memory() {
  local p rss=0 pss=0 n=0 r s
  for p in $(shim_pids "$1"); do
    read -r r s < <(awk '/^Rss:/ {r=$2} /^Pss:/ {s=$2} END {print r+0, s+0}' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
    rss=$((rss + r)); pss=$((pss + s)); n=$((n + 1))
  done
  echo "$rss $pss $n"
}

# --- leftovers and cleanup -----------------------------------------------------------------------
# ours: what this run made and must not leave: mounts under $tmp, shim processes of our daemons,
# cgroups and runtime state of our container ids, our daemons.
ours() {
  local mounts shims cgroups states
  mounts=$(grep -cF "$tmp" /proc/self/mountinfo || true)
  shims=$(( $(shim_pids jcd | wc -l) + $(shim_pids ctd | wc -l) ))
  cgroups=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$ID*" 2>/dev/null | wc -l)
  states=$(compgen -G "/run/jrunc/*/$ID*" "/run/containerd/runc/*/$ID*" "$tmp/*-root/$ID*" | wc -l)
  echo "mounts=$mounts shims=$shims cgroups=$cgroups runtime-states=$states daemons=${#pids[@]}"
}
# machine: the same counts machine-wide (other sessions change these while we run).
machine() {
  local shims=0 d
  for d in /proc/[0-9]*; do grep -qaE 'jcontainerd-shim|containerd-shim-runc-v2' "$d/cmdline" 2>/dev/null && shims=$((shims + 1)); done
  echo "mounts=$(wc -l </proc/self/mountinfo) shims=$shims cgroups=$(find /sys/fs/cgroup -type d 2>/dev/null | wc -l)"
}

# cleanup: removes everything this run made, whatever point it was interrupted at. Containers go
# first, through the daemons that still answer; what they could not remove is removed by hand.
cleanup_done=""
cleanup() {
  [[ -n $cleanup_done ]] && return 0
  cleanup_done=1
  set +e
  local sock ns ids p d
  # first the clients still starting containers, so that none is created after the sweep below
  for p in "${clients[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${clients[@]}"; do wait "$p" 2>/dev/null; done
  # the Docker rows' stacks (bench/lib/docker.sh): containers, dockerd, its bridge and iptables chains
  declare -F dk_stop >/dev/null && dk_stop
  # the CRI rows' daemons (bench/lib/cri.sh): pods, daemons, bridges, iptables rules, pod cgroups
  declare -F cri_stop >/dev/null && cri_stop
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    [[ -S $sock ]] && timeout 5 ctr -a "$sock" version >/dev/null 2>&1 || continue
    for ns in $(timeout 10 ctr -a "$sock" namespaces ls -q 2>/dev/null); do
      ids=$(timeout 10 ctr -a "$sock" -n "$ns" containers ls -q 2>/dev/null)
      [[ -z $ids ]] && continue
      # shellcheck disable=SC2086
      timeout 120 ctr -a "$sock" -n "$ns" tasks rm -f $ids >/dev/null 2>&1
      # shellcheck disable=SC2086
      timeout 60 ctr -a "$sock" -n "$ns" containers rm $ids >/dev/null 2>&1
    done
  done
  for p in "${pids[@]}"; do stop_pid "$p"; done
  for d in "${registries[@]}"; do scripts/test-registry.sh stop "$d" >/dev/null 2>&1; done
  # what the daemons left when they stopped (a spare shim they did not stop shows here)
  left_by_daemons=$(ours)
  # by hand: containers in the shared runtime roots and in the runtime bench's own roots
  for d in /run/jrunc/*/"$ID"* "$tmp/jrunc-root/$ID"*; do
    [[ -e $d ]] && timeout 30 bin/jrunc --root "$(dirname "$d")" delete --force "$(basename "$d")" >/dev/null 2>&1
  done
  for d in /run/containerd/runc/*/"$ID"* "$tmp/runc-root/$ID"*; do
    [[ -e $d ]] && timeout 30 runc --root "$(dirname "$d")" delete --force "$(basename "$d")" >/dev/null 2>&1
  done
  for p in $(shim_pids jcd) $(shim_pids ctd); do kill -KILL "$p" 2>/dev/null; done
  grep -F "$tmp" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r d; do umount -l "$d" 2>/dev/null; done
  find /sys/fs/cgroup -maxdepth 6 -depth -type d -name "$ID*" -exec rmdir {} \; 2>/dev/null
  # the runtime state directories of our namespaces (/run/jrunc/<ID>docker ...), empty once their containers went
  rmdir /run/jrunc/"$ID"* /run/containerd/runc/"$ID"* 2>/dev/null || true
  # the CRI rows' namespace k8s.io is shared with tests: its runtime roots go only if this run made them
  for d in /run/jrunc/k8s.io /run/containerd/runc/k8s.io; do
    [[ " ${preexisting_roots[*]} " == *" $d "* ]] || rmdir "$d" 2>/dev/null
  done
  rm -rf "$tmp"
  echo "bench: after cleanup, left by this run: $(ours)" >&2
}
# what existed of the shared k8s.io runtime roots before this run (tests may be using them)
preexisting_roots=()
for d in /run/jrunc/k8s.io /run/containerd/runc/k8s.io; do [[ -e $d ]] && preexisting_roots+=("$d"); done
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
