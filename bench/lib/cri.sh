# cri_bench (issue 15): a pod's start and teardown through the CRI, as kubelet drives it, against two
# daemons in the same run, keyed
#   jcd = jcontainerd (its CRI on its own socket), a daemon of its own: [registry] on the loopback test
#         registry, [network] a bridge and subnet of this run with ip_masq = false
#   ctd = Debian's containerd 1.6 with its cri plugin enabled, a daemon of its own (root, state, socket
#         under $tmp/cri-ctd): sandbox_image and busybox from the same registry (cri registry
#         config_path), CNI conf dir $tmp/cri-ctd/net.d holding one bridge network of this run
#         (bridge plugin, host-local IPAM with its dataDir under $tmp, no ipMasq), netns pinned under
#         its state dir, stream server on 127.0.0.1 (ephemeral port)
# Both pod networks are a bridge with a veth per pod and no uplink: nothing leaves the machine. The
# client is bench/lib/CriBench.java (grpc-java CRI stubs, run on the daemon jar's classpath, which has grpc-netty), the same for both.
# Rows: start = RunPodSandbox + CreateContainer + StartContainer of busybox sleep, teardown =
# StopPodSandbox + RemovePodSandbox, median of $runs pods after 2 warm-up pods, with the pod network
# and with hostNetwork (no CNI on either side). Sets cri_<row>_<key> variables.
# shellcheck shell=bash

cri_octet=$(( $$ % 200 + 20 ))
CRI_JCD_BRIDGE="jbj$$" CRI_JCD_NET="10.237.$cri_octet"
CRI_CTD_BRIDGE="jbc$$" CRI_CTD_NET="10.239.$cri_octet"
CRI_JCD_SOCK="$tmp/cri-jcd/state/jcontainerd.sock"
CRI_CTD_SOCK="$tmp/cri-ctd/containerd.sock"
CRI_CGROUP="/${ID}cri"
cri_jcd_pid="" cri_ctd_pid="" cri_started=""

# cri_client ARGS...: bench/lib/CriBench.java, compiled by cri_compile, on the classpath of the built daemon jar
# (an array, so that timeout can run it)
CRI_JAVA="${JCD_JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}"
cri_client=("$CRI_JAVA" -cp "$tmp/cri-client:supervisor/target/jcontainerd.jar" --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow CriBench)
cri_compile() {
  mkdir -p "$tmp/cri-client"
  "${CRI_JAVA%/java}/javac" -nowarn -d "$tmp/cri-client" -cp supervisor/target/jcontainerd.jar bench/lib/CriBench.java 2>"$tmp/cri-javac.log" \
    || { cat "$tmp/cri-javac.log" >&2; return 1; }
}

cri_start() {
  local reg=$1 d="$tmp/cri-ctd"
  cri_started=1
  mkdir -p "$tmp/cri-jcd" "$d/net.d" "$tmp/cri-logs"
  cat >"$tmp/cri-jcd.toml" <<TOML
[registry]
config_path = "$reg/certs.d"
[docker]
address = "$tmp/cri-jcd/docker.sock"
[network]
bridge = "$CRI_JCD_BRIDGE"
subnet = "$CRI_JCD_NET.0/24"
pool = "10.238.$cri_octet.0/24"
ip_masq = false
TOML
  start_jcd_with --config "$tmp/cri-jcd.toml" --root "$tmp/cri-jcd/root" --state "$tmp/cri-jcd/state"
  cri_jcd_pid=$started
  cat >"$d/net.d/10-bench.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "${ID}cri", "plugins": [{"type": "bridge", "bridge": "$CRI_CTD_BRIDGE",
 "isGateway": true, "ipMasq": false, "hairpinMode": true,
 "ipam": {"type": "host-local", "dataDir": "$d/ipam", "ranges": [[{"subnet": "$CRI_CTD_NET.0/24"}]],
          "routes": [{"dst": "0.0.0.0/0"}]}}]}
JSON
  cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"
[grpc]
  address = "$CRI_CTD_SOCK"
[ttrpc]
  address = "$CRI_CTD_SOCK.ttrpc"
[debug]
  address = "$d/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.6"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_tcp_service = true
  netns_mounts_under_state_dir = true
  # the pause container's oom_score_adj -998 is refused here (EACCES: this machine is a container);
  # restricted, containerd gives it its own score (0), as jcontainerd does
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$reg/certs.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
TOML
  setsid containerd --config "$d/containerd.toml" >>"$d/containerd.log" 2>&1 & cri_ctd_pid=$!; pids+=("$cri_ctd_pid")
  wait_rpc "$CRI_JCD_SOCK"
  wait_rpc "$CRI_CTD_SOCK"
}

# cri_stop: every pod through the CRI, both daemons (by PID), then by hand what a crash would leave:
# the two bridges and the iptables rules naming them or their subnets, the pods' cgroups. Also from cleanup.
cri_stop() {
  local - sock t line w
  set +e
  [[ -n $cri_started ]] || return 0
  for sock in "$CRI_JCD_SOCK" "$CRI_CTD_SOCK"; do
    [[ -S $sock ]] && timeout 5 ctr -a "$sock" version >/dev/null 2>&1 || continue
    timeout 300 "${cri_client[@]}" clean "$sock" >/dev/null 2>>"$tmp/cri-clean.log" || { echo "bench: CRI clean-up on $sock failed:" >&2; cat "$tmp/cri-clean.log" >&2; }
  done
  [[ -n $cri_jcd_pid ]] && stop_pid "$cri_jcd_pid"
  [[ -n $cri_ctd_pid ]] && stop_pid "$cri_ctd_pid"
  cri_jcd_pid="" cri_ctd_pid="" cri_started=""
  ip link del "$CRI_JCD_BRIDGE" 2>/dev/null
  ip link del "$CRI_CTD_BRIDGE" 2>/dev/null
  for t in filter nat; do
    iptables -t "$t" -S 2>/dev/null \
      | grep -E -- "^-A .*($CRI_JCD_BRIDGE|$CRI_CTD_BRIDGE|${CRI_JCD_NET//./\\.}\.|${CRI_CTD_NET//./\\.}\.)" \
      | while read -r line; do read -r -a w <<<"${line#-A }"; iptables -t "$t" -D "${w[@]}" 2>/dev/null; done
  done
  # the pods' cgroups: $CRI_CGROUP/<pod or container id> in every hierarchy
  find /sys/fs/cgroup -maxdepth 2 -type d -name "${CRI_CGROUP#/}" 2>/dev/null | while read -r d; do
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
}

cri_bench() {
  local reg="$tmp/registry-cri" key sock net v
  cri_compile
  start_registry "$reg"
  cri_start "$reg"
  for sock in "$CRI_JCD_SOCK" "$CRI_CTD_SOCK"; do
    "${cri_client[@]}" pull "$sock" registry.k8s.io/pause:3.6 docker.io/library/busybox:latest >/dev/null
  done
  scripts/test-registry.sh stop "$reg" >/dev/null
  for net in pod host; do
    for key in jcd ctd; do
      if [[ $key == jcd ]]; then sock=$CRI_JCD_SOCK; else sock=$CRI_CTD_SOCK; fi
      echo "bench:   $key: $runs pods, $net network (2 warm-ups)..." >&2
      v=$("${cri_client[@]}" pods "$sock" "$runs" 2 "${ID}$key" "$CRI_CGROUP" "$tmp/cri-logs" "$net") || {
        echo "bench: the CRI pods failed on $key; the end of its log:" >&2
        if [[ $key == jcd ]]; then tail -40 "$tmp/jcd.log" >&2; else tail -40 "$tmp/cri-ctd/containerd.log" >&2; fi
        exit 1; }
      printf -v "cri_start_${net}_$key" '%s' "${v% *}"
      printf -v "cri_teardown_${net}_$key" '%s' "${v#* }"
    done
  done
  cri_stop
}
