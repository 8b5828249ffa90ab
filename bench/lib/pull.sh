# pull_bench (issues 3 and 4): the test registry (scripts/test-registry.sh) on loopback, mapped as
# docker.io by its certs.d; a second jcontainerd whose [registry] config_path points there (it pulls
# server-side, driven by jctr); containerd's ctr pulls client-side with --hosts-dir into containerd,
# and into jcontainerd for the same-client rows. Every sample starts from an empty store (images rm
# --sync first); median of $pull_samples. Unpack throughput is measured on its own: blobs fetched
# first (--no-unpack / ctr content fetch), then a pull that only unpacks, MB of uncompressed layers
# per second. Sets pull_* and unpack_* variables.
# shellcheck shell=bash

# pull_time_ms CMD...: wall ms of a command that must succeed
pull_time_ms() {
  local t0; t0=$(now_ms)
  "$@" >/dev/null 2>>"$tmp/pull-errors.log" || { echo "bench: failed: $* (see $tmp/pull-errors.log)" >&2; return 1; }
  echo $(( $(now_ms) - t0 ))
}

pull_bench() {
  local reg="$tmp/registry" hosts jsock ref img i jcdpull_pid
  start_registry "$reg"
  hosts="$reg/certs.d"
  printf '[registry]\nconfig_path = "%s"\n[docker]\naddress = "%s"\n' "$hosts" "$tmp/jcdpull/docker.sock" >"$tmp/jcd-pull.toml"
  start_jcd_with --config "$tmp/jcd-pull.toml" --root "$tmp/jcdpull/root" --state "$tmp/jcdpull/state"
  jcdpull_pid=$started
  jsock="$tmp/jcdpull/state/jcontainerd.sock"
  wait_rpc "$jsock"
  local jctr=(bin/jctr -a "$jsock") ctr=(ctr -a "$CTR_SOCK")
  # one untimed pull each, so neither side's first-use costs land in the samples
  ref=docker.io/library/busybox:latest
  "${jctr[@]}" images pull "$ref" >/dev/null; "${jctr[@]}" images rm --sync "$ref" >/dev/null
  "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref" >/dev/null; "${ctr[@]}" images rm --sync "$ref" >/dev/null
  for img in busybox large; do
    ref="docker.io/library/$img:latest"
    local js=() cs=() cj=()
    for i in $(seq 1 "$pull_samples"); do
      "${jctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
      js+=("$(pull_time_ms "${jctr[@]}" images pull "$ref")")
      "${ctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
      cs+=("$(pull_time_ms "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref")")
      # the same client on both sides: ctr pulls client-side into jcontainerd (Content.Write, Diff.Apply, ...)
      ctr -a "$jsock" images rm --sync "$ref" >/dev/null 2>&1 || true
      cj+=("$(pull_time_ms ctr -a "$jsock" images pull --hosts-dir "$hosts" "$ref")")
    done
    printf -v "pull_jcd_$img" '%s' "$(printf '%s\n' "${js[@]}" | median)"
    printf -v "pull_ctd_$img" '%s' "$(printf '%s\n' "${cs[@]}" | median)"
    printf -v "pull_ctr_on_jcd_$img" '%s' "$(printf '%s\n' "${cj[@]}" | median)"
  done
  ref=docker.io/library/large:latest
  local ju=() cu=()
  for i in $(seq 1 "$pull_samples"); do
    "${jctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
    "${jctr[@]}" images pull --no-unpack "$ref" >/dev/null
    ju+=("$(pull_time_ms "${jctr[@]}" images pull "$ref")")
    "${ctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
    "${ctr[@]}" content fetch --hosts-dir "$hosts" "$ref" >/dev/null
    cu+=("$(pull_time_ms "${ctr[@]}" images pull --hosts-dir "$hosts" "$ref")")
  done
  large_mb=$(python3 - "${JCD_TEST_IMAGE_CACHE:-/var/cache/jcontainerd-test/images}" <<'PY'
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
  mbs() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) / (float(sys.argv[2]) / 1000)))' "$large_mb" "$1"; }
  unpack_jcd_mbs=$(mbs "$(printf '%s\n' "${ju[@]}" | median)")
  unpack_ctd_mbs=$(mbs "$(printf '%s\n' "${cu[@]}" | median)")
  pull_jcd_hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$jcdpull_pid/status")
  pull_ctd_hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$ctd_pid/status")
  # the large image stays out of containerd's store for the rest of the run: less to walk for GC
  "${ctr[@]}" images rm --sync "$ref" >/dev/null 2>&1 || true
  stop_pid "$jcdpull_pid"
  scripts/test-registry.sh stop "$reg" >/dev/null
}
