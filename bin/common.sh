# Shared by the launchers in bin/: finds the repo, the JDK and the built jars, with bash builtins only
# (each dirname, readlink or grep would be a fork and an exec per launch; jctr is timed like a small
# program, README "Performance"). A launcher sources it by its real path, symlinks resolved.
# shellcheck shell=bash
_jcd_self="${BASH_SOURCE[0]}"
[[ -L "$_jcd_self" ]] && _jcd_self="$(readlink -f "$_jcd_self")"
[[ "$_jcd_self" == /* ]] || _jcd_self="$PWD/$_jcd_self"
JCD_HOME="${_jcd_self%/bin/*}"
if [[ -z "${JCD_JAVA:-}" ]]; then
  # the JDK's release file names its version: no `java -version` (a whole JVM start) per launch
  JCD_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && -r "$JAVA_HOME/release" ]]; then
    while IFS= read -r _jcd_line; do
      [[ "$_jcd_line" == 'JAVA_VERSION="25'* ]] && { JCD_JAVA="$JAVA_HOME/bin/java"; break; }
    done <"$JAVA_HOME/release"
  fi
fi
if [[ ! -x "$JCD_JAVA" ]]; then
  echo "${0##*/}: Java 25 not found at $JCD_JAVA: install Temurin 25 or set JAVA_HOME" >&2
  exit 1
fi

# jcd_jar MODULE JARNAME: path of a built jar, or a one-line error telling how to build it.
jcd_jar() {
  local jar="$JCD_HOME/$1/target/$2"
  if [[ ! -f "$jar" ]]; then
    echo "${0##*/}: $jar is not built: run ./mvnw -q -DskipTests package in $JCD_HOME" >&2
    exit 1
  fi
  printf '%s' "$jar"
}

# jcd_aot JAR [OTHER_JAR...]: the flag that uses the AOT cache built next to the jar by scripts/build.sh
# (JEP 483), if it is newer than the jar and the other jars its classes come from; nothing otherwise (a
# stale cache would only be refused by the JVM).
jcd_aot() {
  local jar="$1" cache="${1%.jar}.aot" other
  [[ -f "$cache" ]] || return 0
  for other in "$@"; do [[ "$cache" -nt "$other" ]] || return 0; done
  printf -- '-XX:AOTCache=%s' "$cache"
}

# JNA's native stub as the build unpacked it (runtime-oci/target/native) and the C library's directories:
# without them JNA copies its stub out of its jar to ~/.cache/JNA on every start and runs `ldconfig -p`
# (a fork and an exec) to find libc. Where the stub is not unpacked, JNA still finds it in its jar.
case "$HOSTTYPE" in
  x86_64) _jcd_jna=linux-x86-64 ;;
  aarch64) _jcd_jna=linux-aarch64 ;;
  *) _jcd_jna="linux-$HOSTTYPE" ;;
esac
JCD_JNA_OPTS=(-Djna.boot.library.path="$JCD_HOME/runtime-oci/target/native/com/sun/jna/$_jcd_jna" -Djna.nosys=true
  -Djna.platform.library.path="/lib/$HOSTTYPE-linux-gnu:/usr/lib/$HOSTTYPE-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib")

# jcd_native_opts DIR: sets JCD_NATIVE_OPTS to java.library.path with DIR (JNI libraries the build
# unpacked: loaded from there instead of extracted from their jars to /tmp on every start) before the
# JDK's default directories; to nothing when DIR is not built.
jcd_native_opts() {
  JCD_NATIVE_OPTS=()
  [[ -d "$1" ]] && JCD_NATIVE_OPTS=(-Djava.library.path="$1:/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib")
  return 0
}
