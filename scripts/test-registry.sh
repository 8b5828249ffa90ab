#!/bin/bash
# A real registry for tests: Debian's docker-registry (Docker Distribution) on a free loopback
# port, filled with the images scripts/test-images.sh builds.
#
#   scripts/test-registry.sh start  <state-dir>   prints the port
#   scripts/test-registry.sh stop   <state-dir>   kills exactly the registry this state dir started
#   scripts/test-registry.sh status <state-dir>   "running <pid> <port>" (exit 0) or "stopped" (exit 1)
#
# Environment:
#   JCD_TEST_IMAGE_CACHE       the image layout (default /var/cache/jcontainerd-test/images)
#   JCD_TEST_REGISTRY_STORAGE  where filled registry storage is kept, one directory per image-cache
#                              key (default <state-dir>/storage). Several registries may share it:
#                              a storage directory filled for the current images is served as is,
#                              without pushing again.
#   JCD_TEST_REGISTRY_OWNER    a PID: the registry is killed when that process is gone (a test JVM
#                              that died without stopping it does not leak a registry).
#
# The state dir receives: port, pid, config.yml, registry.log, and
# certs.d/docker.io/hosts.toml and certs.d/registry.k8s.io/hosts.toml naming this registry as the only server of
# both (containerd's hosts format, for `ctr --hosts-dir` and our client), so docker.io/library/busybox:latest
# and registry.k8s.io/pause:3.6 (the CRI's sandbox image) resolve to it.
#
# Repositories: library/busybox:latest (Docker v2 schema 2), library/busybox:oci (OCI),
# library/multiarch:latest (OCI index, amd64 + arm64), library/multiarch:docker (manifest list),
# library/whiteouts:latest, library/edgecases:latest, library/large:latest, library/zstd:latest,
# library/uncompressed:latest, library/pause:3.6 and pause:3.6 (see scripts/test-images.sh).
set -euo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "test-registry.sh: $*" >&2; exit 1; }
log() { echo "test-registry.sh: $*" >&2; }
usage() { die "usage: test-registry.sh start|stop|status <state-dir>"; }

[ $# -eq 2 ] || usage
CMD=$1
STATE=$(realpath -m "$2")

alive() { # alive <pid>: the pid runs docker-registry with our config
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "docker-registry serve $STATE/config.yml"
}

answers() { # answers <port>: GET /v2/ returns 200 (bash's /dev/tcp: curl is not always installed)
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  [[ $status == "HTTP/1."?" 200"* ]]
}

http() { # http <method> <path> <body file or ""> [content type]: prints the status code, then the headers
  local length=0 line
  [ -n "$3" ] && length=$(stat -c %s "$3")
  exec 4<>"/dev/tcp/127.0.0.1/$PORT"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Length: %d\r\nContent-Type: %s\r\nConnection: close\r\n\r\n' \
    "$1" "$2" "$PORT" "$length" "${4:-application/octet-stream}" >&4
  [ -n "$3" ] && cat "$3" >&4
  IFS= read -r -t 30 line <&4 || { exec 4>&-; echo 000; return; }
  line=${line#HTTP/1.? }; echo "${line%% *}"
  while IFS= read -r -t 30 line <&4 && [ "$line" != $'\r' ] && [ -n "$line" ]; do echo "$line"; done
  exec 4>&-
}

# write_hosts <port>: certs.d/{docker.io,registry.k8s.io}/hosts.toml naming the registry on <port> as their server.
# It is the server, not a mirror in front of Docker Hub: an image it lacks is NotFound here and a
# pull asks nothing beyond loopback. Written on every start, also when the registry already runs.
write_hosts() {
  local host
  for host in docker.io registry.k8s.io; do
    mkdir -p "$STATE/certs.d/$host"
    cat >"$STATE/certs.d/$host/hosts.toml" <<EOF
# $host resolves to the loopback test registry only (containerd's hosts.toml format). The
# [host] table repeats the server: containerd 1.6's ctr refuses a hosts.toml without one.
server = "http://127.0.0.1:$1"
capabilities = ["pull", "resolve"]

[host."http://127.0.0.1:$1"]
  capabilities = ["pull", "resolve"]
EOF
  done
}

running_pid() { local pid; pid=$(cat "$STATE/pid" 2>/dev/null || true); alive "$pid" && echo "$pid"; }

case "$CMD" in
  status)
    if pid=$(running_pid); then echo "running $pid $(cat "$STATE/port")"; exit 0; fi
    echo stopped; exit 1 ;;
  stop)
    if pid=$(running_pid); then
      kill "$pid"
      for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
      alive "$pid" && kill -9 "$pid"
    fi
    wd=$(cat "$STATE/watchdog.pid" 2>/dev/null || true)
    if [ -n "$wd" ] && [ -r "/proc/$wd/cmdline" ] && tr '\0' ' ' <"/proc/$wd/cmdline" | grep -q "jcontainerd-test-registry-watchdog"; then
      kill "$wd" 2>/dev/null || true
    fi
    rm -f "$STATE/pid" "$STATE/port" "$STATE/watchdog.pid"
    exit 0 ;;
  start) ;;
  *) usage ;;
esac

if pid=$(running_pid) && answers "$(cat "$STATE/port")"; then write_hosts "$(cat "$STATE/port")"; cat "$STATE/port"; exit 0; fi

command -v docker-registry >/dev/null 2>&1 || die "'docker-registry' not found: install the Debian package 'docker-registry' (apt-get install docker-registry)"
command -v skopeo >/dev/null 2>&1 || die "'skopeo' not found: install the Debian package 'skopeo' (apt-get install skopeo)"

T0=$(date +%s%N)
CACHE=$("$SCRIPTS/test-images.sh" "${JCD_TEST_IMAGE_CACHE:-/var/cache/jcontainerd-test/images}")
KEY=$(cat "$CACHE/jcontainerd-fixture.key")
T1=$(date +%s%N)

mkdir -p "$STATE"
STORAGE_ROOT=$(realpath -m "${JCD_TEST_REGISTRY_STORAGE:-$STATE/storage}")
STORAGE="$STORAGE_ROOT/$KEY"
mkdir -p "$STORAGE_ROOT"
# Held while this registry fills the storage; others wait, then serve the filled storage.
exec 7>"$STORAGE_ROOT/.lock"
flock -x 7
FILL=0
if [ ! -f "$STORAGE/.jcontainerd-filled" ]; then
  FILL=1
  rm -rf "$STORAGE"
  # Storage for older image sets is dead weight (only one image set exists per checkout).
  find "$STORAGE_ROOT" -mindepth 1 -maxdepth 1 -type d ! -name "$KEY" -exec rm -rf {} +
  mkdir -p "$STORAGE"
else
  flock -u 7
fi

cat >"$STATE/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STORAGE
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: jcontainerd-test-registry
EOF

# Port 0: the kernel picks a free port and the registry logs it; no race with other tests.
: >"$STATE/registry.log"
setsid docker-registry serve "$STATE/config.yml" >>"$STATE/registry.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$STATE/pid"
PORT=
for _ in $(seq 1 400); do
  PORT=$(sed -n 's/.*msg="listening on 127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$STATE/registry.log" | head -n1)
  [ -n "$PORT" ] && answers "$PORT" && break
  kill -0 "$PID" 2>/dev/null || die "docker-registry exited at start; its log: $(tail -n 5 "$STATE/registry.log")"
  PORT=
  sleep 0.025
done
[ -n "$PORT" ] || { kill "$PID"; die "docker-registry did not answer /v2/ within 10 s; its log: $STATE/registry.log"; }
echo "$PORT" >"$STATE/port"
T2=$(date +%s%N)

if [ -n "${JCD_TEST_REGISTRY_OWNER:-}" ]; then
  setsid bash -c 'exec -a jcontainerd-test-registry-watchdog bash -c "while kill -0 $1 2>/dev/null && kill -0 $2 2>/dev/null; do sleep 1; done; kill $2 2>/dev/null" _ "$@"' \
    _ "$JCD_TEST_REGISTRY_OWNER" "$PID" >/dev/null 2>&1 </dev/null &
  echo $! >"$STATE/watchdog.pid"
fi

if [ "$FILL" = 1 ]; then
  exec 8<"$CACHE.lock"
  flock -s 8                       # the layout is not rebuilt while we read it
  push() { # push <layout ref.name> <repository:tag> [skopeo options]
    local src=$1 dest=$2; shift 2
    if [ "${1:-}" = --raw ]; then push_raw "$src" "$dest"; return; fi
    skopeo copy -q --dest-tls-verify=false "$@" "oci:$CACHE:$src" "docker://127.0.0.1:$PORT/$dest" >&2
  }
  # --raw: the distribution API spoken directly. skopeo always gzips uncompressed layers on the
  # way to a registry; this keeps the layout's manifest and blobs byte for byte.
  push_raw() { # push_raw <layout ref.name> <repository:tag>
    local src=$1 repo=${2%:*} tag=${2##*:} desc manifest media digest
    desc=$(grep -o "{[^{}]*\"digest\":\"sha256:[0-9a-f]*\"[^{}]*{\"org.opencontainers.image.ref.name\":\"$src\"}}" "$CACHE/index.json") \
      || die "no $src in $CACHE/index.json"
    media=$(sed -n 's/.*"mediaType":"\([^"]*\)".*/\1/p' <<<"$desc")
    manifest="$CACHE/blobs/sha256/$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' <<<"$desc")"
    for digest in $(grep -o '"digest":"sha256:[0-9a-f]*"' "$manifest" | cut -d'"' -f4); do
      [ "$(http HEAD "/v2/$repo/blobs/$digest" "" | head -n1)" = 200 ] && continue
      local location
      location=$(http POST "/v2/$repo/blobs/uploads/" "" | sed -n 's/^location: *//Ip' | tr -d '\r')
      [ -n "$location" ] || die "the registry gave no upload location for $repo"
      location=${location#http://127.0.0.1:$PORT}
      [ "$(http PUT "$location&digest=$digest" "$CACHE/blobs/sha256/${digest#sha256:}" application/octet-stream | head -n1)" = 201 ] \
        || die "uploading $digest to $repo failed"
    done
    [ "$(http PUT "/v2/$repo/manifests/$tag" "$manifest" "$media" | head -n1)" = 201 ] || die "putting the manifest $repo:$tag failed"
  }
  # Columns: <expected ref.name> <source ref.name> <repository:tag> [skopeo options]. skopeo reads
  # only OCI manifests from a layout, so the Docker schema 2 tag is converted on push; that
  # conversion is deterministic and yields the manifest stored under the expected ref.name.
  pids=()
  while read -r _ src dest opts; do
    # shellcheck disable=SC2086
    push "$src" "$dest" $opts & pids+=($!)
  done <"$CACHE/jcontainerd-fixture.images"
  for p in "${pids[@]}"; do wait "$p" || { kill "$PID"; die "pushing to the registry failed; its log: $STATE/registry.log"; }; done
  flock -u 8
  echo "$KEY" >"$STORAGE/.jcontainerd-filled"
  flock -u 7
fi
T3=$(date +%s%N)

write_hosts "$PORT"

log "images $(( (T1 - T0) / 1000000 )) ms, registry up $(( (T2 - T1) / 1000000 )) ms, push $(( (T3 - T2) / 1000000 )) ms (filled: $FILL), port $PORT, pid $PID"
echo "$PORT"
