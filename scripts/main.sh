#!/usr/bin/env bash
# The main job on a fresh Debian machine (as root): installs the packages, builds, starts
# jcontainerd on its default socket (unless one already serves there) and exercises it with jctr.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
if [[ $EUID -ne 0 ]]; then echo "main: run as root (the daemon manages mounts, cgroups and namespaces)" >&2; exit 1; fi
scripts/install-deps.sh
scripts/build.sh

state=/run/jcontainerd
sock=$state/jcontainerd.sock
if bin/jctr -a "$sock" --connect-timeout 0s version >/dev/null 2>&1; then
  echo "main: jcontainerd already serves $sock; using it"
else
  mkdir -p /var/log/jcontainerd
  nohup bin/jcontainerd >/var/log/jcontainerd/jcontainerd.log 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do [[ -S "$sock" ]] && break; sleep 0.1; done
  [[ -S "$sock" ]] || { echo "main: jcontainerd did not start:" >&2; cat /var/log/jcontainerd/jcontainerd.log >&2; exit 1; }
  echo "$pid" >"$state/jcontainerd.pid"
  echo "main: jcontainerd started as PID $pid (log /var/log/jcontainerd/jcontainerd.log; stop it with: kill $pid)"
fi

set -x
bin/jctr version
bin/jctr namespaces create demo owner=main-job
bin/jctr namespaces ls
bin/jctr namespaces label demo owner= purpose=readme
bin/jctr namespaces ls
bin/jctr namespaces rm demo
bin/jctr plugins ls
