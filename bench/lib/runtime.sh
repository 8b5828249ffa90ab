# runtime_bench (issue 5): the same busybox bundle under runc and under jrunc, each with a root of
# its own under $tmp: `run` of `true` (hyperfine median of $runs), and the lifecycle one step at a
# time: create, start, delete, each timed on its own (median of $runs; the wait for `true` to exit
# between start and delete is not timed), and their sum per cycle. Sets rt_* and cycle_* variables.
# shellcheck shell=bash

make_bundle() {
  local b=$1
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
}

# cycle_steps KEY RUNTIME ROOT BUNDLE: create/start/(wait)/delete, 2 warm-ups then $runs timed cycles
cycle_steps() {
  local key=$1 rt=$2 root=$3 b=$4 cid="${ID}cy$1" i t0 t1 t2 t3 t4 c=() s=() d=() sum=()
  for i in $(seq -1 "$runs"); do
    t0=$(now_ns)
    "$rt" --root "$root" create -b "$b" "$cid" >/dev/null
    t1=$(now_ns)
    "$rt" --root "$root" start "$cid" >/dev/null
    t2=$(now_ns)
    for _ in $(seq 1 400); do "$rt" --root "$root" state "$cid" 2>/dev/null | grep -q '"stopped"' && break; sleep 0.005; done
    t3=$(now_ns)
    "$rt" --root "$root" delete "$cid" >/dev/null
    t4=$(now_ns)
    (( i > 0 )) || continue
    c+=($(( (t1 - t0) / 1000 ))); s+=($(( (t2 - t1) / 1000 ))); d+=($(( (t4 - t3) / 1000 )))
    sum+=($(( (t1 - t0 + t2 - t1 + t4 - t3) / 1000 )))
  done
  ms() { median | awk '{printf "%.1f", $1/1000}'; }
  printf -v "cycle_create_$key" '%s' "$(printf '%s\n' "${c[@]}" | ms)"
  printf -v "cycle_start_$key" '%s' "$(printf '%s\n' "${s[@]}" | ms)"
  printf -v "cycle_delete_$key" '%s' "$(printf '%s\n' "${d[@]}" | ms)"
  printf -v "cycle_sum_$key" '%s' "$(printf '%s\n' "${sum[@]}" | ms)"
}

runtime_bench() {
  local b="$tmp/bundle"
  make_bundle "$b"
  rt_runc=$(median_ms runc --root "$tmp/runc-root" run -b "$b" "${ID}rr")
  rt_jrunc=$(median_ms bin/jrunc --root "$tmp/jrunc-root" run -b "$b" "${ID}rj")
  cycle_steps runc /usr/sbin/runc "$tmp/runc-root" "$b"
  cycle_steps jrunc "$PWD/bin/jrunc" "$tmp/jrunc-root" "$b"
}
