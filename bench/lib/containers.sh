# containers_bench (issue 6): busybox containers through three client/daemon pairs, keyed
#   jctr   = jctr against jcontainerd        (the CLI path)
#   ctrjcd = Debian's ctr against jcontainerd (the API path: the same client as on containerd's side)
#   ctd    = Debian's ctr against containerd 1.6 + containerd-shim-runc-v2 + runc
# busybox comes from the loopback test registry through ctr --hosts-dir into each daemon. Per pair:
# `run --rm ... true` (hyperfine median of $runs), $n detached `sleep` containers started one after
# another (total ms), shim memory with the $n running, their teardown (tasks rm -f of all, then
# containers rm of all: kill, wait for the exit, delete; total ms), then $n started in parallel (total
# ms). Sets <row>_<pair> variables. Everything runs in the namespace $ID, not `default`, so that the
# namespace's cgroups (/sys/fs/cgroup/*/$ID) and runtime roots (/run/jrunc/$ID, /run/containerd/runc/$ID)
# are this run's own and its cleanup removes them.
# shellcheck shell=bash

REF=docker.io/library/busybox:latest

# running_count CLI...: how many tasks the daemon reports RUNNING
running_count() { "$@" tasks ls | awk '$3 == "RUNNING"' | wc -l; }

# expect_running N CLI...: fails the run, naming the daemon's view, unless exactly N tasks run
expect_running() {
  local want=$1; shift
  local got; got=$(running_count "$@")
  [[ $got == "$want" ]] || { echo "bench: $want containers should run, $got do ($*):" >&2; "$@" tasks ls >&2; exit 1; }
}

# teardown_ms IDS CLI...: kill + delete every task, then delete every container; wall ms
teardown_ms() {
  local ids=$1 t0; shift
  t0=$(now_ms)
  # ctr warns on stderr about every exit status 137; kept out of the way unless a step fails
  # shellcheck disable=SC2086
  "$@" tasks rm -f $ids >/dev/null 2>"$tmp/teardown.log" || { cat "$tmp/teardown.log" >&2; return 1; }
  # shellcheck disable=SC2086
  "$@" containers rm $ids >/dev/null
  echo $(( $(now_ms) - t0 ))
}

# pair_bench KEY SHIMKIND CLI...: the rows for one client/daemon pair
pair_bench() {
  local key=$1 kind=$2; shift 2
  local cli=("$@") ids="" i t0 mem j failed=0 v
  # v=$(...) before printf -v: a failure inside printf's own argument would not stop the run
  echo "bench:   $key: run --rm ($runs runs)..." >&2
  v=$(WARMUP=2 median_ms "${cli[@]}" run --rm "$REF" "${ID}rt" true)
  printf -v "run_rm_$key" '%s' "$v"

  echo "bench:   $key: $n detached, one after another..." >&2
  for i in $(seq 1 "$n"); do ids+=" ${ID}s$i"; done
  t0=$(now_ms)
  for i in $ids; do "${cli[@]}" run -d "$REF" "$i" sleep 100000 >/dev/null; done
  printf -v "start_seq_$key" '%s' "$(( $(now_ms) - t0 ))"
  expect_running "$n" "${cli[@]}"
  sleep "$settle"  # shims finish starting up (JIT, heap) before their memory is read
  read -r -a mem < <(shim_memory "$kind")
  printf -v "shim_rss_$key" '%s' "$(awk -v k="${mem[0]}" -v n="$n" 'BEGIN {printf "%.1f", k/n/1024}')"
  printf -v "shim_pss_$key" '%s' "$(awk -v k="${mem[1]}" -v n="$n" 'BEGIN {printf "%.1f", k/n/1024}')"
  printf -v "shim_procs_$key" '%s' "${mem[2]}"
  v=$(teardown_ms "$ids" "${cli[@]}")
  printf -v "teardown_$key" '%s' "$v"
  expect_running 0 "${cli[@]}"

  echo "bench:   $key: $n detached, in parallel..." >&2
  ids=""
  for i in $(seq 1 "$n"); do ids+=" ${ID}p$i"; done
  t0=$(now_ms)
  clients=()
  for i in $ids; do "${cli[@]}" run -d "$REF" "$i" sleep 100000 >"$tmp/par-$i.log" 2>&1 & clients+=($!); done
  for j in "${clients[@]}"; do wait "$j" || failed=$((failed + 1)); done
  clients=()
  printf -v "start_par_$key" '%s' "$(( $(now_ms) - t0 ))"
  [[ $failed == 0 ]] || { echo "bench: $failed of $n parallel starts failed ($key):" >&2; cat "$tmp"/par-*.log >&2; exit 1; }
  expect_running "$n" "${cli[@]}"
  v=$(teardown_ms "$ids" "${cli[@]}")
}

containers_bench() {
  local reg="$tmp/registry-run" hosts sock
  start_registry "$reg"
  hosts="$reg/certs.d"
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    ctr -a "$sock" -n "$ID" images pull --hosts-dir "$hosts" "$REF" >/dev/null
  done
  scripts/test-registry.sh stop "$reg" >/dev/null
  pair_bench jctr jcd bin/jctr -a "$JCD_SOCK" -n "$ID"
  pair_bench ctrjcd jcd ctr -a "$JCD_SOCK" -n "$ID"
  pair_bench ctd ctd ctr -a "$CTR_SOCK" -n "$ID"
}
