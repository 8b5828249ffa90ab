#!/usr/bin/env bash
# Records shim/target/jcontainerd-shim.aot, the AOT cache bin/jcontainerd-shim uses while it is newer
# than the jar (one training run of a busybox container on jrunc run in-process; needs root, runc, busybox-static).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
rm -f shim/target/jcontainerd-shim.aot
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "shim/target/jcontainerd-shim.jar:shim/target/lib/*" io.jcontainerd.shim.tools.AotTraining "$PWD" "$PWD/shim/target/jcontainerd-shim.aot"
echo "shim AOT cache: $(du -h shim/target/jcontainerd-shim.aot | cut -f1)"
