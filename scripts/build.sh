#!/usr/bin/env bash
# Builds every module (tests skipped) and the AOT caches that make jctr and jcontainerd start fast.
# Usage: scripts/build.sh [extra maven args]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [[ ! -x "$JAVA_HOME/bin/java" ]]; then
  echo "build: Java 25 not found at $JAVA_HOME: install Temurin 25 there or set JAVA_HOME_25" >&2
  exit 1
fi
./mvnw -B -q -DskipTests "$@" package
scripts/train-aot.sh
