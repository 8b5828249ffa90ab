# snapshot_bench (issue 4): prepare + mount + unmount + remove of an overlay snapshot on a committed
# parent, through the same client (ctr) against each daemon, median of $snap_samples. Sets snap_*.
# shellcheck shell=bash

snapshot_bench() {
  local sock name i t0 samples m="$tmp/snapmnt"
  mkdir -p "$m"
  for sock in "$JCD_SOCK" "$CTR_SOCK"; do
    name=jcd; [[ $sock == "$CTR_SOCK" ]] && name=ctd
    ctr -a "$sock" snapshots prepare snapbase >/dev/null && ctr -a "$sock" snapshots commit snapparent snapbase >/dev/null
    samples=()
    for i in $(seq 1 "$snap_samples"); do
      t0=$(now_ns)
      ctr -a "$sock" snapshots prepare "s$i" snapparent >/dev/null
      eval "$(ctr -a "$sock" snapshots mounts "$m" "s$i")"
      umount "$m"
      ctr -a "$sock" snapshots rm "s$i" >/dev/null
      samples+=($(( ($(now_ns) - t0) / 1000 )))
    done
    ctr -a "$sock" snapshots rm snapparent >/dev/null
    printf -v "snap_$name" '%s' "$(printf '%s\n' "${samples[@]}" | median | awk '{printf "%.1f", $1/1000}')"
  done
}
