#!/usr/bin/env bash
# Runs every test, unit and integration, in one Maven build (as root: the integration tests
# start real daemons, registries, mounts and containers). Installs the Debian packages first.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
if [[ $EUID -ne 0 ]]; then
  echo "test: the integration tests need root (real namespaces, mounts, cgroups): run as root" >&2
  exit 1
fi
scripts/install-deps.sh
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
./mvnw -B --no-transfer-progress verify "$@"
