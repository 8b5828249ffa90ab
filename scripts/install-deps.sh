#!/usr/bin/env bash
# Installs the Debian packages jcontainerd's build, tests, demo and benchmarks use (as root).
# Peers and fixtures: containerd/ctr, runc, crun (comparison and interop), docker-registry,
# umoci, skopeo, busybox-static (the test registry and its images), docker.io (dockerd 20.10, the
# peer of the Docker API rows of bench/), tini, CNI plugins and iptables (network/), hyperfine,
# strace (the test that a failed pull reaches nothing beyond loopback), python3-prometheus-client
# (Prometheus's text-format parser, for the test of /v1/metrics).
set -euo pipefail
packages=(containerd runc crun docker-registry umoci skopeo busybox-static tini containernetworking-plugins
          iptables docker.io hyperfine iproute2 procps psmisc curl ca-certificates tmux strace python3-prometheus-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ! -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  echo "install-deps: Java 25 is needed at /usr/lib/jvm/temurin-25-jdk-amd64 (Temurin 25 JDK)" >&2
  exit 1
fi
