# docker_bench (issues 10 and 11): docker CLI 28 (/usr/local/bin/docker) against two daemons in the
# same run, keyed
#   jdk = jcontainerd's Docker API facade: a daemon of its own with [docker] enabled on $tmp/jcdd/,
#         its [network] default bridge on a bridge and subnet of this run
#   dkd = Debian's dockerd 20.10 on $tmp/dockerd/ (data-root, exec-root, socket), with a containerd
#         of its own started by this run (fresh, as jcontainerd's daemon is), on a bridge this run makes
# busybox comes from the loopback test registry: the facade pulls docker.io/library/busybox (its
# [registry] config_path maps docker.io to the registry), dockerd pulls 127.0.0.1:PORT/library/busybox
# and tags it busybox:latest, so neither resolves a name (dockerd's log is checked for docker.io).
# Sets docker_<row>_<key> variables.
# shellcheck shell=bash

DOCKER_CLI=/usr/local/bin/docker
export DOCKER_CONFIG="$tmp/docker-cli" DOCKER_CLI_HINTS=false
dk_octet=$(( $$ % 200 + 20 ))
DK_JCD_BRIDGE="jbf$$" DK_JCD_NET="10.231.$dk_octet" DK_JCD_SUBNET="10.231.$dk_octet.0/24"
DK_DKD_BRIDGE="jbd$$" DK_DKD_NET="10.233.$dk_octet"
DK_JCD_SOCK="$tmp/jcdd/docker.sock"
DK_DKD_SOCK="$tmp/dockerd/docker.sock"
DK_DCTD_SOCK="$tmp/dockerd/containerd/containerd.sock"
dk_jcd_pid="" dk_dkd_pid="" dk_dctd_pid="" dk_started=""
dk_chains_before="" dk_brnf_before=""

dk() { local sock=$1; shift; "$DOCKER_CLI" -H "unix://$sock" "$@"; }

# dk_shims KEY: the shim processes of one stack (jcontainerd-shim JVMs whose --address is the facade
# daemon's, containerd-shim-runc-v2 of dockerd's containerd)
dk_shims() {
  local kind dir p
  if [[ $1 == jdk ]]; then kind=jcd dir="$tmp/jcdd/"; else kind=ctd dir="$tmp/dockerd/"; fi
  for p in $(shim_pids "$kind"); do grep -qaF "$dir" "/proc/$p/cmdline" 2>/dev/null && echo "$p"; done
}
# dk_memory KEY PIDS...: "<RSS MB> <PSS MB> <shims>" of the daemons PIDS plus the stack's shims
dk_memory() {
  local key=$1 p r s rss=0 pss=0 n=0; shift
  for p in "$@"; do
    read -r r s < <(awk '/^Rss:/ {r=$2} /^Pss:/ {s=$2} END {print r+0, s+0}' "/proc/$p/smaps_rollup")
    rss=$((rss + r)); pss=$((pss + s))
  done
  for p in $(dk_shims "$key"); do
    read -r r s < <(awk '/^Rss:/ {r=$2} /^Pss:/ {s=$2} END {print r+0, s+0}' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
    rss=$((rss + r)); pss=$((pss + s)); n=$((n + 1))
  done
  awk -v r="$rss" -v s="$pss" -v n="$n" 'BEGIN {printf "%.1f %.1f %d\n", r/1024, s/1024, n}'
}

dk_wait_sock() {
  for _ in $(seq 1 6000); do
    dk "$1" version >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "bench: the daemon serving $1 exited:" >&2; tail -20 "$3" >&2; return 1; }
    sleep 0.05
  done
  echo "bench: nothing answered on $1 in 300 s" >&2; tail -20 "$3" >&2; return 1
}

# dk_start_facade REGISTRY_DIR: jcontainerd with [docker] enabled, in a namespace and on a bridge of this run
# (DK_JCD_NETWORK_EXTRA: more [network] lines, e.g. ip_masq = false)
dk_start_facade() {
  mkdir -p "$tmp/jcdd"
  cat >"$tmp/jcdd.toml" <<TOML
version = 1
root = "$tmp/jcdd/root"
state = "$tmp/jcdd/state"
[docker]
enabled = true
address = "$DK_JCD_SOCK"
namespace = "${ID}docker"
[registry]
config_path = "$1/certs.d"
[network]
bridge = "$DK_JCD_BRIDGE"
subnet = "$DK_JCD_SUBNET"
pool = "10.232.0.0/16"
${DK_JCD_NETWORK_EXTRA:-}
TOML
  start_jcd_with --config "$tmp/jcdd.toml"
  dk_jcd_pid=$started
  dk_wait_sock "$DK_JCD_SOCK" "$dk_jcd_pid" "$tmp/jcd.log"
}

# dk_start_dockerd: its containerd (private config), its bridge (dockerd takes --bip or --bridge, not
# both: the bridge is made here with the address dockerd reads from it), then dockerd on them, with
# the extra arguments in the array DK_DOCKERD_ARGS if set (scripts/docker-side-by-side.sh).
dk_start_dockerd() {
  local d="$tmp/dockerd"
  mkdir -p "$d"
  dk_chains_before=$( { iptables -S; iptables -t nat -S; } 2>/dev/null | grep -c -- '-N DOCKER' || true)
  dk_brnf_before=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || true)
  cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$DK_DCTD_SOCK"
[ttrpc]
  address = "$DK_DCTD_SOCK.ttrpc"
[debug]
  address = "$d/containerd/debug.sock"
TOML
  setsid containerd --config "$d/containerd.toml" >>"$d/containerd.log" 2>&1 & dk_dctd_pid=$!; pids+=("$dk_dctd_pid")
  wait_rpc "$DK_DCTD_SOCK"
  ip link add "$DK_DKD_BRIDGE" type bridge
  ip addr add "$DK_DKD_NET.1/24" dev "$DK_DKD_BRIDGE"
  ip link set "$DK_DKD_BRIDGE" up
  echo '{}' >"$d/daemon.json"
  # --ip-forward=false: dockerd sets the FORWARD policy to DROP when it turns forwarding on, and
  # the policy is shared with the other sessions (forwarding plays no part in these rows)
  setsid dockerd --config-file "$d/daemon.json" --host "unix://$DK_DKD_SOCK" --containerd "$DK_DCTD_SOCK" \
    --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" --bridge "$DK_DKD_BRIDGE" \
    --cgroup-parent "/${ID}docker" --ip-forward=false --storage-driver overlay2 --log-level warn \
    ${DK_DOCKERD_ARGS[@]+"${DK_DOCKERD_ARGS[@]}"} >>"$d/dockerd.log" 2>&1 & dk_dkd_pid=$!; pids+=("$dk_dkd_pid")
  dk_started=1
  dk_wait_sock "$DK_DKD_SOCK" "$dk_dkd_pid" "$d/dockerd.log"
}

# dk_stop: every container of both stacks, the daemons, dockerd's bridge, its iptables rules and chains
# (the chains only when none existed before us), the bridge-netfilter sysctl as it was. Also from cleanup.
dk_stop() {
  local - sock ids t line w
  set +e
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    [[ -S $sock ]] && timeout 10 "$DOCKER_CLI" -H "unix://$sock" version >/dev/null 2>&1 || continue
    ids=$(timeout 30 "$DOCKER_CLI" -H "unix://$sock" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [[ -n $ids ]] && timeout 300 "$DOCKER_CLI" -H "unix://$sock" rm -f $ids >/dev/null 2>&1
  done
  [[ -n $dk_dkd_pid ]] && stop_pid "$dk_dkd_pid"
  [[ -n $dk_dctd_pid ]] && stop_pid "$dk_dctd_pid"
  [[ -n $dk_jcd_pid ]] && stop_pid "$dk_jcd_pid"
  dk_dkd_pid="" dk_dctd_pid="" dk_jcd_pid=""
  # the facade's network module keeps its bridge (and its rules) when the daemon stops, as dockerd
  # keeps docker0: both bridges of this run go, with every rule naming them or their subnets
  ip link del "$DK_JCD_BRIDGE" 2>/dev/null
  ip link del "$DK_DKD_BRIDGE" 2>/dev/null
  for t in filter nat; do
    iptables -t "$t" -S 2>/dev/null \
      | grep -E -- "^-A .*($DK_JCD_BRIDGE|$DK_DKD_BRIDGE|${DK_DKD_NET//./\\.}\.|${DK_JCD_NET//./\\.}\.)" \
      | while read -r line; do read -r -a w <<<"${line#-A }"; iptables -t "$t" -D "${w[@]}" 2>/dev/null; done
  done
  [[ -n $dk_started ]] || return 0
  dk_started=""
  for t in filter nat; do
    if [[ $dk_chains_before == 0 ]]; then
      iptables -t "$t" -S 2>/dev/null | grep -E -- '^-A [A-Z]+ .*-j DOCKER' | grep -vE '^-A DOCKER' | while read -r line; do
        read -r -a w <<<"${line#-A }"; iptables -t "$t" -D "${w[@]}" 2>/dev/null
      done
      for line in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
        iptables -t "$t" -F "$line" 2>/dev/null && iptables -t "$t" -X "$line" 2>/dev/null
      done
    fi
  done
  [[ -n $dk_brnf_before && -w /proc/sys/net/bridge/bridge-nf-call-iptables ]] \
    && echo "$dk_brnf_before" >/proc/sys/net/bridge/bridge-nf-call-iptables
  return 0
}

# dk_pair ROW CMD...: the hyperfine median of `docker CMD` against each daemon, in docker_ROW_jdk/_dkd
dk_pair() {
  local row=$1 v; shift
  v=$(median_ms "$DOCKER_CLI" -H "unix://$DK_JCD_SOCK" "$@"); printf -v "docker_${row}_jdk" '%s' "$v"
  v=$(median_ms "$DOCKER_CLI" -H "unix://$DK_DKD_SOCK" "$@"); printf -v "docker_${row}_dkd" '%s' "$v"
}

docker_bench() {
  local reg="$tmp/registry-docker" port sock key i v mem lines
  [[ -x $DOCKER_CLI ]] || { echo "bench: the docker CLI is not at $DOCKER_CLI" >&2; exit 1; }
  mkdir -p "$DOCKER_CONFIG"
  start_registry "$reg"
  port=$(cat "$reg/port")
  echo "bench:   starting the facade (jcontainerd [docker]) and dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)..." >&2
  dk_start_facade "$reg"
  dk_start_dockerd
  dk "$DK_JCD_SOCK" pull -q busybox:latest >/dev/null
  dk "$DK_DKD_SOCK" pull -q "127.0.0.1:$port/library/busybox:latest" >/dev/null
  dk "$DK_DKD_SOCK" tag "127.0.0.1:$port/library/busybox:latest" busybox:latest
  scripts/test-registry.sh stop "$reg" >/dev/null

  echo "bench:   docker run --rm busybox true, bridge / none / host ($runs runs each)..." >&2
  WARMUP=2 dk_pair run_bridge run --rm busybox true
  WARMUP=2 dk_pair run_none run --rm --network none busybox true
  WARMUP=2 dk_pair run_host run --rm --network host busybox true
  for key in jdk dkd; do
    v=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' \
        "$(eval echo "\$docker_run_bridge_$key")" "$(eval echo "\$docker_run_none_$key")")
    printf -v "docker_netcost_$key" '%s' "$v"
  done

  echo "bench:   10 sleeping containers per stack..." >&2
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    for i in $(seq 1 10); do dk "$sock" run -d --name "${ID}z$i" busybox sleep 100000 >/dev/null; done
    [[ $(dk "$sock" ps -q | wc -l) == 10 ]] || { echo "bench: 10 containers should run on $sock:" >&2; dk "$sock" ps -a >&2; exit 1; }
  done
  sleep "$settle"
  read -r -a mem < <(dk_memory jdk "$dk_jcd_pid")
  docker_rss_jdk=${mem[0]} docker_pss_jdk=${mem[1]} docker_shims_jdk=${mem[2]}
  read -r -a mem < <(dk_memory dkd "$dk_dkd_pid" "$dk_dctd_pid")
  docker_rss_dkd=${mem[0]} docker_pss_dkd=${mem[1]} docker_shims_dkd=${mem[2]}
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    # shellcheck disable=SC2046
    dk "$sock" rm -f $(dk "$sock" ps -aq) >/dev/null
  done

  echo "bench:   docker ps -a with 100 created containers..." >&2
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    seq 1 100 | xargs -P 4 -I{} "$DOCKER_CLI" -H "unix://$sock" create --name "${ID}c{}" busybox true >/dev/null
    lines=$(dk "$sock" ps -aq | wc -l)
    [[ $lines == 100 ]] || { echo "bench: 100 containers should exist on $sock, $lines do" >&2; exit 1; }
  done
  dk_pair ps ps -a
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    # shellcheck disable=SC2046
    dk "$sock" rm $(dk "$sock" ps -aq) >/dev/null
  done

  echo "bench:   docker logs of 100 MiB..." >&2
  for sock in "$DK_JCD_SOCK" "$DK_DKD_SOCK"; do
    dk "$sock" run -d --name "${ID}log" busybox sh -c \
      'yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678 | head -c 104857600' >/dev/null
    [[ $(dk "$sock" wait "${ID}log") == 0 ]] || { echo "bench: the 100 MiB writer failed on $sock" >&2; exit 1; }
    lines=$(dk "$sock" logs "${ID}log" 2>&1 | wc -c)
    [[ $lines == 104857600 ]] || { echo "bench: docker logs read $lines bytes of 104857600 on $sock" >&2; exit 1; }
  done
  RUNS=$(( runs < 3 ? runs : 3 )) WARMUP=0 dk_pair logs logs "${ID}log"

  if grep -qiE 'registry-1\.docker\.io|index\.docker\.io|lookup ' "$tmp/dockerd/dockerd.log"; then
    echo "bench: dockerd tried to reach a registry by name:" >&2; grep -iE 'docker\.io|lookup ' "$tmp/dockerd/dockerd.log" >&2; exit 1
  fi
  dk_stop
}
