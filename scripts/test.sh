#!/usr/bin/env bash
# Runs every test, unit and integration, in one Maven build (as root: the integration tests
# start real daemons, registries, mounts and containers). Installs the Debian packages first.
# Fails too when the run left cgroups or runtime state directories of the namespaces every test
# daemon shares ("default", "k8s.io"; scripts/SharedNamespaceLeftovers.java), naming them.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
if [[ $EUID -ne 0 ]]; then
  echo "test: the integration tests need root (real namespaces, mounts, cgroups): run as root" >&2
  exit 1
fi
scripts/install-deps.sh
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
# the check is compiled before the run from the testsupport sources (the run may build only some modules)
check=$(mktemp -d /tmp/jcd-test-check.XXXXXX)
trap 'rm -rf "$check"' EXIT
"$JAVA_HOME/bin/javac" -d "$check" supervisor/src/test/java/io/jcontainerd/testsupport/{SharedNamespaces,TestCgroups}.java \
  scripts/SharedNamespaceLeftovers.java
leftovers() { "$JAVA_HOME/bin/java" -cp "$check" SharedNamespaceLeftovers "$@"; }
leftovers list >"$check/before"
status=0
./mvnw -B --no-transfer-progress verify "$@" || status=$?
if ! leftovers check "$check/before"; then
  [[ $status -ne 0 ]] || status=1
fi
exit "$status"
