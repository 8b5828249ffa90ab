#!/usr/bin/env bash
# The same docker CLI 28 commands against Debian's dockerd 20.10 and against jcontainerd's Docker API
# facade, outputs compared after masking what differs by nature (ids, digests, times, durations,
# addresses, host ports) and the known differences README.md lists (the known() rules below).
# Exit 0: no other difference; 1: the unified diff is printed; 2: a set-up failure.
# Usage (root, after scripts/build.sh or ./mvnw -DskipTests package): scripts/docker-side-by-side.sh [--keep]
#   --keep   leave the two transcripts in /tmp/docker-side-by-side.<pid>/ (printed)
# Both daemons run on private sockets, data dirs and bridges under a temp dir (bench/lib/docker.sh:
# dockerd with a containerd of its own, --iptables=false --ip-masq=false), busybox comes from the
# loopback test registry (dockerd through --registry-mirror with a dead proxy for any fallback, so no
# name is resolved and no packet leaves the machine), published ports bind 127.0.0.1 only. Everything
# this run made is removed on exit, also when interrupted (bench/lib/common.sh's cleanup).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
keep=""
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "docker-side-by-side: unknown argument '$1': use --keep or --help" >&2; exit 2 ;;
esac
[[ $EUID -eq 0 ]] || { echo "docker-side-by-side: run as root (dockerd and containers need it)" >&2; exit 2; }
command -v dockerd >/dev/null || { echo "docker-side-by-side: dockerd is missing: apt-get install docker.io" >&2; exit 2; }
[[ -f supervisor/target/jcontainerd.jar ]] \
  || { echo "docker-side-by-side: jcontainerd is not built: run scripts/build.sh" >&2; exit 2; }

source bench/lib/common.sh
source bench/lib/docker.sh
out_dir="/tmp/docker-side-by-side.$$"
mkdir -p "$out_dir"
reg="$tmp/registry-docker"
mkdir -p "$DOCKER_CONFIG"
start_registry "$reg"
port=$(cat "$reg/port")
t_start=$(now_ms)
echo "side-by-side: starting jcontainerd's facade and dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)..." >&2
DK_JCD_NETWORK_EXTRA="ip_masq = false" dk_start_facade "$reg"
# the mirror serves busybox; a pull the mirror cannot serve falls back to the dead proxy (refused at
# once, no name resolved)
DK_DOCKERD_ARGS=(--iptables=false --ip-masq=false --insecure-registry "127.0.0.1:$port" --registry-mirror "http://127.0.0.1:$port")
HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost dk_start_dockerd
t_ready=$(now_ms)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# transcript KEY SOCK HOSTPORT: runs the command list against one daemon, printing each command, its
# stdout, its stderr (prefixed) and its exit status
transcript() {
  local key=$1 sock=$2 hp=$3 t0 t1
  d() { "$DOCKER_CLI" -H "unix://$sock" "$@"; }
  # step CMD...; SORTED=1 step CMD...: the same with stdout sorted, for lists dockerd gives in no set
  # order (images of equal creation time)
  step() {
    local rc=0 o e
    echo "\$ docker $*"
    o=$(d "$@" 2>"$tmp/stderr") || rc=$?
    [[ -n ${SORTED:-} ]] && o=$(sort <<<"$o")
    e=$(cat "$tmp/stderr")
    [[ -n $o ]] && printf '%s\n' "$o"
    [[ -n $e ]] && printf '%s\n' "$e" | sed 's/^/stderr: /'
    echo "[exit $rc]"
  }
  # until_ok WHAT CMD...: waits (up to 30 s) for a command to succeed, as a user would retry
  until_ok() {
    local what=$1; shift
    for _ in $(seq 1 300); do "$@" >/dev/null 2>&1 && { echo "ok: $what"; return 0; }; sleep 0.1; done
    echo "FAILED: $what (30 s)"
  }
  step pull busybox
  step images --format '{{.Repository}}:{{.Tag}} {{.Size}}'
  # sizes are the unpacked layers' (moby's directory.Size of each applied layer): exact bytes, also
  # of layers with whiteouts, an opaque directory, hardlinks, a fifo and a device (-q: the progress
  # lines of several layers come in either order)
  step pull -q whiteouts
  step pull -q edgecases
  step image inspect --format '{{.Size}} {{.VirtualSize}}' busybox whiteouts edgecases
  step history --format '{{.Size}} {{.CreatedBy}}' whiteouts
  step system df
  SORTED=1 step system df -v --format '{{range .Images}}{{.Repository}} {{.Size}} {{.SharedSize}} {{.UniqueSize}} {{.Containers}}{{"\n"}}{{end}}'
  step run --rm busybox echo hi
  step run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
  step run --rm -e A=1 -w /tmp -u 1000:1000 busybox sh -c 'echo $A $(pwd) $(id -u):$(id -g)'
  step run --rm --network none busybox ip -o link show
  step run --rm --hostname sbs-host busybox hostname
  # the two streams are copied apart by both daemons: lines written in the same instant may be logged
  # in either order (the pause keeps the order the same on both)
  step run --name sbs-log busybox sh -c 'echo one; sleep 0.3; echo two >&2'
  step logs sbs-log
  step logs --tail 1 sbs-log
  step inspect --format '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Config.Image}} {{.Path}} {{json .Args}} {{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}}' sbs-log
  step run -d --name sbs-web -p "127.0.0.1:$hp:8080" busybox httpd -f -p 8080 -h /etc
  until_ok "GET http://127.0.0.1:<port>/hostname through -p" curl -sf "http://127.0.0.1:$hp/hostname"
  echo "published port answers: $(curl -sf "http://127.0.0.1:$hp/group" | head -1)"
  step exec sbs-web cat /etc/hostname
  step exec -e X=y -w /etc sbs-web sh -c 'echo $X $(pwd) $(id -u)'
  step exec sbs-web sh -c 'exit 7'
  step inspect --format '{{.State.Running}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{json .HostConfig.PortBindings}} {{json .NetworkSettings.Ports}}' sbs-web
  step port sbs-web
  # created without --network: inspect keeps the client's "default", the container is on bridge
  step network inspect --format '{{.Name}} {{len .Containers}}' bridge
  step ps --format '{{.Names}} {{.Image}} {{.Command}} {{.Status}} {{.Ports}}'
  step ps -a --format '{{.Names}} {{.Status}}'
  step ps -a --filter status=exited --format '{{.Names}}'
  # endpoints live from start to exit, as dockerd's: an exited container keeps its network (and its
  # ID) with no address; ps filters by network name, created and exited containers too
  step inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.IPAddress}}] [{{$v.Gateway}}] [{{$v.MacAddress}}] [{{$v.EndpointID}}] {{end}}' sbs-log
  step ps -a --filter network=bridge --format '{{.Names}} {{.Networks}}'
  step network create sbs-net
  step network connect sbs-net sbs-web
  step create --name sbs-idle --network sbs-net busybox true
  # {{.Networks}} of a container on two networks is not compared: docker's CLI joins them in Go map
  # order, which differs from one call to the next on either daemon; the inspect below lists them sorted
  step ps -a --filter network=sbs-net --format '{{.Names}}'
  step ps --filter network=sbs-net --format '{{.Names}}'
  step inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} [{{$v.NetworkID}}] [{{$v.IPAddress}}] {{end}}' sbs-idle
  step network inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{len .Containers}}' sbs-net
  step inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' sbs-web
  step network ls --format '{{.Name}} {{.Driver}} {{.Scope}}'
  # a peer by name: busybox's glibc, without /etc/nsswitch.conf, asks DNS before /etc/hosts; with
  # --dns 127.0.0.1 a query stays in the container, so none leaves the machine (dockerd's embedded
  # DNS answers the name itself); then with files first, as most images' nsswitch.conf says
  step run --rm --network sbs-net --dns 127.0.0.1 busybox sh -c \
    'ping -c1 -W5 sbs-web >/dev/null 2>&1 && echo "peer name resolved (DNS first)" || echo "peer name not resolved (DNS first)"'
  step run --rm --network sbs-net --dns 127.0.0.1 busybox sh -c \
    'echo "hosts: files dns" >/etc/nsswitch.conf; ping -c1 -W5 sbs-web >/dev/null && echo "peer name resolved (files first)"'
  step network disconnect sbs-net sbs-web
  step volume create sbs-vol
  step run --rm -v sbs-vol:/data busybox sh -c 'echo kept > /data/f'
  step run --rm -v sbs-vol:/data:ro busybox cat /data/f
  step volume ls --format '{{.Driver}} {{.Name}}'
  step volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}}' sbs-vol
  # the events window starts at a new second, so it holds this run's events only (network ones too)
  tp=$(date +%s)
  until_ok "a new second" sh -c "test \$(date +%s) -gt $tp"
  t0=$(date +%s)
  step run --rm --name sbs-ev busybox true
  t1=$(( $(date +%s) + 1 ))
  until_ok "the events window has passed" sh -c "test \$(date +%s) -gt $t1"
  step events --since "$t0" --until "$t1" --filter container=sbs-ev --filter type=container --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
  step events --since "$t0" --until "$t1" --format '{{json .}}'
  step run --name sbs-log busybox true
  step inspect nosuch
  step rm nosuch
  step stop sbs-web
  step rm -f sbs-web sbs-log sbs-idle
  step network rm sbs-net
  step volume rm sbs-vol
  step ps -a --format '{{.Names}}'
}

# normalize: masks what differs by nature between two daemons and two runs
normalize() {
  sed -E \
    -e 's/sha256:[0-9a-f]{64}/sha256:<digest>/g' \
    -e 's/\b[0-9a-f]{64}\b/<id>/g' \
    -e 's/\b[0-9a-f]{12}\b/<id12>/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)/<time>/g' \
    -e 's/(Up|Exited \([0-9-]+\)) (Less than a second|About a minute|About an hour|[0-9]+ (second|minute|hour)s?)( ago)?/\1 <duration>/g' \
    -e 's/127\.0\.0\.1:[0-9]+->/127.0.0.1:<port>->/g; s/"HostPort":"[0-9]+"/"HostPort":"<port>"/g; s/127\.0\.0\.1:[0-9]+$/127.0.0.1:<port>/' \
    -e 's/\b(10|172|192)\.[0-9]+\.[0-9]+\.[0-9]+\b/<ip>/g' \
    -e 's/--since [0-9]+ --until [0-9]+/--since <t0> --until <t1>/' \
    -e 's/"time":[0-9]+,"timeNano":[0-9]+/"time":<t>,"timeNano":<ns>/' \
    -e 's/ -p 127\.0\.0\.1:[0-9]+:/ -p 127.0.0.1:<port>:/' \
    -e "s#unix://[^ ]*docker.sock#unix://<socket>#g"
}

# known: the differences README.md lists under "Known differences from dockerd", masked on both
# sides so that only a new difference fails the run (each rule names its README item)
known() {
  sed -E \
    -e '/^<id12>: Verifying Checksum$/d'
}

hp_jcd=$(free_port); hp_dkd=$(free_port)
echo "side-by-side: the command list against the facade..." >&2
transcript jdk "$DK_JCD_SOCK" "$hp_jcd" >"$out_dir/jcontainerd.txt" 2>&1
echo "side-by-side: the command list against dockerd..." >&2
transcript dkd "$DK_DKD_SOCK" "$hp_dkd" >"$out_dir/dockerd.txt" 2>&1
t_done=$(now_ms)
if grep -qiE 'registry-1\.docker\.io|index\.docker\.io|lookup ' "$tmp/dockerd/dockerd.log"; then
  echo "side-by-side: dockerd tried to reach a registry by name:" >&2; grep -iE 'docker\.io|lookup ' "$tmp/dockerd/dockerd.log" >&2; exit 2
fi
for k in dockerd jcontainerd; do
  normalize <"$out_dir/$k.txt" >"$out_dir/$k.norm"
  known <"$out_dir/$k.norm" >"$out_dir/$k.known"
done
masked=$(diff "$out_dir/dockerd.norm" "$out_dir/jcontainerd.norm" | grep -c '^[<>]' || true)
rc=0
diff -u --label "dockerd 20.10" --label "jcontainerd facade" "$out_dir/dockerd.known" "$out_dir/jcontainerd.known" || rc=1
steps=$(grep -c '^\$ docker' "$out_dir/dockerd.norm")
echo "side-by-side: $steps commands, $( ((rc == 0)) && echo "no difference" || echo "differences above (- dockerd, + jcontainerd)")" \
  "besides the known ones (README; $masked differing lines before masking them);" \
  "daemons ready in $((t_ready - t_start)) ms, commands in $((t_done - t_ready)) ms" >&2
if [[ -n $keep ]]; then
  echo "side-by-side: transcripts in $out_dir" >&2
else
  rm -rf "$out_dir"
fi
exit "$rc"
