#!/bin/bash
# Builds the images every pull/unpack/run test uses, from Debian's busybox-static, with umoci and
# skopeo, into one OCI image layout:
#
#   scripts/test-images.sh [<cache-dir>]      (default /var/cache/jcontainerd-test/images)
#
# Tags in the layout (org.opencontainers.image.ref.name), pushed by test-registry.sh as
# library/<name>:<tag>:
#   busybox:latest       Docker v2 schema 2 manifest, config Cmd ["sh"], host platform
#   busybox:oci          the same image as an OCI manifest (same layer and config blobs)
#   multiarch:latest     OCI index: linux/amd64 and linux/arm64/v8, both real busybox binaries
#   multiarch:docker     the same as a Docker manifest list of schema 2 manifests
#   whiteouts:latest     busybox + layers that delete files and a directory (.wh.<name>), make a
#                        directory opaque (.wh..wh..opq), and replace a directory by a file and a
#                        file by a directory
#   edgecases:latest     busybox + a layer of hardlinks, a fifo, a device, setuid/setgid/sticky,
#                        non-root owners, xattrs (user.*, security.capability), long and UTF-8 names
#   large:latest         7 gzip layers, 7 x 30 MiB uncompressed, ~1.9x like binaries (benchmarks;
#                        JCD_TEST_LARGE_LAYERS and JCD_TEST_LARGE_LAYER_MB change the size)
#   zstd:latest          busybox with a zstd-compressed layer
#   uncompressed:latest  busybox with an uncompressed (plain tar) layer
#   pause:3.6            the CRI's pod sandbox image, pushed as library/pause:3.6 like the others and as
#                        pause:3.6 (registry.k8s.io/pause:3.6 resolves to it): NOT Kubernetes' pause binary (no static one is packaged), but busybox whose
#                        entrypoint is a shell that sleeps until SIGTERM or SIGINT and then exits 0
#
# The layout is rebuilt only when its inputs change: <cache-dir>/jcontainerd-fixture.key holds a
# hash of this script, the busybox version, the umoci/skopeo/tar versions and the size settings. Builds are deterministic
# (fixed timestamps, seeded pseudo-random data), so the digests depend on those inputs only.
# <cache-dir>/jcontainerd-fixture.images lists what test-registry.sh pushes (format below).
#
# Everything is built offline from installed packages except the arm64 busybox binary, which is
# fetched once with `apt-get download busybox-static:arm64` (same version as the installed one)
# and kept in <cache-dir>.debs/; this adds the arm64 architecture to dpkg if it is missing.
# Must run as root: the layers hold root-owned files, a device node and security.capability.
#
# Prints the layout directory on stdout.
set -euo pipefail

CACHE=${1:-/var/cache/jcontainerd-test/images}
CACHE=$(realpath -m "$CACHE")
LARGE_LAYERS=${JCD_TEST_LARGE_LAYERS:-7}
LARGE_LAYER_MB=${JCD_TEST_LARGE_LAYER_MB:-30}
EPOCH=1704067200                    # 2024-01-01T00:00:00Z: every mtime and "created" in the images
CREATED=2024-01-01T00:00:00Z
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "test-images.sh: $*" >&2; exit 1; }
log() { echo "test-images.sh: $*" >&2; }

need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}
need umoci umoci
need skopeo skopeo
need dpkg-deb dpkg
need flock util-linux
need perl perl-base
need tar tar
[ -x /bin/busybox ] || die "/bin/busybox not found: install the Debian package 'busybox-static' (apt-get install busybox-static)"
[ "$(id -u)" = 0 ] || die "must run as root: the layers hold root-owned files, a device node and security.capability"

BUSYBOX_VERSION=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) \
  || die "the Debian package 'busybox-static' is not installed (apt-get install busybox-static); /bin/busybox alone does not say which version to fetch for arm64"
HOST_ARCH=$(dpkg --print-architecture)
case "$HOST_ARCH" in
  amd64) OTHER_ARCH=arm64 ;;
  arm64) OTHER_ARCH=amd64 ;;
  *) die "host architecture '$HOST_ARCH' is not supported: the fixture builds linux/amd64 and linux/arm64 images" ;;
esac

KEY=$( { sha256sum <"${BASH_SOURCE[0]}"
         echo "busybox-static=$BUSYBOX_VERSION host=$HOST_ARCH large=${LARGE_LAYERS}x${LARGE_LAYER_MB}MB"
         dpkg-query -W -f='${Package}=${Version}\n' umoci skopeo tar 2>/dev/null || true
       } | sha256sum | cut -c1-32)

mkdir -p "$(dirname "$CACHE")"
exec 9>"$CACHE.lock"
# Readers (test-registry.sh pushing from the layout) hold a shared lock; a rebuild waits for them.
if [ -f "$CACHE/jcontainerd-fixture.key" ] && [ "$(cat "$CACHE/jcontainerd-fixture.key")" = "$KEY" ]; then
  echo "$CACHE"; exit 0
fi
flock -x 9
if [ -f "$CACHE/jcontainerd-fixture.key" ] && [ "$(cat "$CACHE/jcontainerd-fixture.key")" = "$KEY" ]; then
  echo "$CACHE"; exit 0
fi

START=$(date +%s%N)
BUILD="$CACHE.build.$$"
rm -rf "$BUILD"
mkdir -p "$BUILD"
trap 'rm -rf "$BUILD"' EXIT
WORK="$BUILD/work"
B="$WORK/layout"          # umoci's working layout
OUT="$BUILD/out"          # the layout we publish
mkdir -p "$WORK"
umoci init --layout "$B"

# --- busybox binaries --------------------------------------------------------------------------

fetch_other_busybox() { # prints the path of the busybox binary for $OTHER_ARCH
  local debs="$CACHE.debs" deb
  mkdir -p "$debs"
  deb=$(ls "$debs"/busybox-static_*_"$OTHER_ARCH".deb 2>/dev/null | head -n1 || true)
  if [ -n "$deb" ] && [ "$(dpkg-deb -f "$deb" Version)" != "$BUSYBOX_VERSION" ]; then rm -f "$deb"; deb=; fi
  if [ -z "$deb" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx "$OTHER_ARCH"; then
      log "adding dpkg architecture $OTHER_ARCH (to download busybox-static:$OTHER_ARCH)"
      dpkg --add-architecture "$OTHER_ARCH"
    fi
    if ! apt-cache show "busybox-static:$OTHER_ARCH=$BUSYBOX_VERSION" >/dev/null 2>&1; then
      apt-get update -qq >&2 || die "apt-get update failed: the $OTHER_ARCH busybox is fetched once from the Debian mirror"
    fi
    # apt's sandbox user must be able to write the target directory.
    local tmp; tmp=$(mktemp -d); chmod 0777 "$tmp"
    (cd "$tmp" && apt-get download -qq "busybox-static:$OTHER_ARCH=$BUSYBOX_VERSION" >&2) \
      || die "cannot download busybox-static:$OTHER_ARCH=$BUSYBOX_VERSION: needs the Debian mirror once (the .deb is then kept in $debs)"
    mv "$tmp"/busybox-static_*.deb "$debs/"
    rm -rf "$tmp"
    deb=$(ls "$debs"/busybox-static_*_"$OTHER_ARCH".deb | head -n1)
  fi
  mkdir -p "$WORK/deb-$OTHER_ARCH"
  dpkg-deb -x "$deb" "$WORK/deb-$OTHER_ARCH"
  echo "$WORK/deb-$OTHER_ARCH/bin/busybox"
}

declare -A BUSYBOX
BUSYBOX[$HOST_ARCH]=/bin/busybox
BUSYBOX[$OTHER_ARCH]=$(fetch_other_busybox)

# --- helpers -----------------------------------------------------------------------------------

# A root filesystem like docker.io/library/busybox: /bin/busybox, a symlink per applet
# (`busybox --install -s` semantics, all in /bin), the usual directories and account files.
make_rootfs() { # make_rootfs <dir> <busybox binary>
  local r=$1
  mkdir -p "$r"/{bin,dev,etc,home,proc,root,sys,tmp,usr/sbin,var/spool/mail,var/www}
  chmod 0755 "$r" "$r"/{bin,dev,etc,home,proc,sys,usr,usr/sbin,var,var/spool,var/spool/mail,var/www}
  chmod 0700 "$r/root"
  chmod 1777 "$r/tmp"
  install -m 0755 "$2" "$r/bin/busybox"
  # Both architectures come from the same source package and configuration, so the host binary's
  # applet list is the arm64 one's too.
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$r/bin/$applet"
  done
  cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
  cat >"$r/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nobody:x:65534:
EOF
  printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$r/etc/shadow"
  chmod 0644 "$r/etc/passwd" "$r/etc/group"
  chmod 0640 "$r/etc/shadow"
  echo "hosts: files dns" >"$r/etc/nsswitch.conf"
  chmod 0644 "$r/etc/nsswitch.conf"
}

new_image() { # new_image <tag> <arch>
  umoci new --image "$B:$1"
  umoci config --image "$B:$1" --no-history --architecture "$2" --os linux \
    --created "$CREATED" --config.env "$PATH_ENV" --config.cmd sh
}

# Layers are tars written by GNU tar (umoci 0.4.7's `insert` writes truncated tars): entries
# sorted, root-owned, every mtime $EPOCH, names relative ("bin/sh", as docker writes them).
# Whiteouts are plain empty files named .wh.<name> / .wh..wh..opq in the layer's directory.
add_layer() { # add_layer <tag> <what it does> <directory holding the layer's tree> [tar options]
  local tar="$WORK/layer.tar" tag=$1 what=$2 dir=$3; shift 3
  [ $# -gt 0 ] || set -- --owner=0 --group=0
  (cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
    tar --create --file "$tar" --files-from - --sort=name --format=posix \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
      --mtime="@$EPOCH" --numeric-owner "$@")
  umoci raw add-layer --image "$B:$tag" --history.created "$CREATED" --history.created_by "$what" "$tar"
  rm -f "$tar"
}

publish() { # publish <source tag in $B> <ref.name in $OUT> [skopeo copy options...]
  local from=$1 to=$2; shift 2
  skopeo copy -q "$@" "oci:$B:$from" "oci:$OUT:$to" >&2
}

# --- busybox, per architecture -----------------------------------------------------------------

for arch in "$HOST_ARCH" "$OTHER_ARCH"; do
  make_rootfs "$WORK/rootfs-$arch" "${BUSYBOX[$arch]}"
  new_image "busybox-$arch" "$arch"
  add_layer "busybox-$arch" "busybox-static $BUSYBOX_VERSION ($arch) with applet links" "$WORK/rootfs-$arch"
done

# --- whiteouts ---------------------------------------------------------------------------------
# layer 1: busybox; layer 2: a /data tree; layer 3: whiteouts deleting a file and a directory of
# layer 2 and a file of layer 1, plus a file where layer 2 had a directory and a directory where it
# had a file (no whiteout: the entry's type replaces what is there, as docker writes it);
# layer 4: /data/opaque made opaque, with one new file.

umoci config --image "$B:busybox-$HOST_ARCH" --tag whiteouts --no-history --created "$CREATED"
W="$WORK/whiteouts"
mkdir -p "$W/2/data/dir-to-remove/sub" "$W/2/data/opaque" "$W/2/data/dir-becomes-file" "$W/3/data/file-becomes-dir" \
  "$W/3/bin" "$W/4/data/opaque"
echo "a later layer replaces this directory by a file" >"$W/2/data/dir-becomes-file/inside.txt"
echo "a later layer replaces this file by a directory" >"$W/2/data/file-becomes-dir"
echo "now a file" >"$W/3/data/dir-becomes-file"
echo "inside what was a file" >"$W/3/data/file-becomes-dir/inside.txt"
echo "this file stays" >"$W/2/data/keep.txt"
echo "a later layer deletes this file" >"$W/2/data/remove-me.txt"
echo "a later layer deletes this directory" >"$W/2/data/dir-to-remove/a.txt"
echo "nested in a deleted directory" >"$W/2/data/dir-to-remove/sub/b.txt"
echo "hidden by an opaque directory" >"$W/2/data/opaque/old-1.txt"
echo "hidden by an opaque directory" >"$W/2/data/opaque/old-2.txt"
: >"$W/3/data/.wh.remove-me.txt"
: >"$W/3/data/.wh.dir-to-remove"
: >"$W/3/bin/.wh.vi"
: >"$W/4/data/opaque/.wh..wh..opq"
echo "the only file left in /data/opaque" >"$W/4/data/opaque/new.txt"
chmod -R u=rwX,go=rX "$W"
chmod 0000 "$W/3/data/.wh.remove-me.txt" "$W/3/data/.wh.dir-to-remove" "$W/3/bin/.wh.vi" "$W/4/data/opaque/.wh..wh..opq"
add_layer whiteouts "add /data" "$W/2"
add_layer whiteouts "rm /data/remove-me.txt /data/dir-to-remove /bin/vi; swap file and directory" "$W/3"
add_layer whiteouts "replace /data/opaque (opaque)" "$W/4"

# --- edgecases --------------------------------------------------------------------------------
# busybox + one layer of everything a layer applier must get right: hardlinks, a fifo, a character
# device, setuid/setgid/sticky modes, non-root owners, user and security.capability xattrs, names
# and a symlink target longer than ustar's 100 bytes (PAX headers), UTF-8 and spaces in names, an
# empty file and an empty directory.

setxattr() { # setxattr <path> <name> <value in hex>: no setfattr/setcap on a minimal system: a raw syscall
  local nr; case "$HOST_ARCH" in amd64) nr=188 ;; arm64) nr=5 ;; esac
  perl -e 'my $v = pack("H*", $ARGV[3]); syscall($ARGV[0], $ARGV[1], $ARGV[2], $v, length($v), 0) == 0
             or die "setxattr $ARGV[2] on $ARGV[1]: $!\n"' "$nr" "$1" "$2" "$3" \
    || die "cannot set xattr $2 on $1: build the images on a filesystem with xattrs (JCD_TEST_IMAGE_CACHE)"
}

umoci config --image "$B:busybox-$HOST_ARCH" --tag edgecases --no-history --created "$CREATED"
E="$WORK/edgecases"
X="$E/edge"
long1=$(printf 'long-directory-name-1-%058d' 0)   # 80 bytes each
long2=$(printf 'long-directory-name-2-%058d' 0)
long3=$(printf 'long-directory-name-3-%058d' 0)
mkdir -p "$X/empty-dir" "$X/sticky" "$X/setgid-dir" "$X/owned" "$X/$long1/$long2/$long3"
echo "linked three times" >"$X/hardlink-target"
ln "$X/hardlink-target" "$X/hardlink-1"
ln "$X/hardlink-target" "$X/owned/hardlink-2"
mkfifo "$X/fifo"
mknod "$X/null-device" c 1 3
: >"$X/empty-file"
echo "spaces" >"$X/name with spaces.txt"
echo "utf-8" >"$X/ünïcødé-名前.txt"
echo "deep" >"$X/$long1/$long2/$long3/file-behind-a-path-longer-than-255-bytes.txt"
ln -s "$long1/$long2" "$X/symlink-with-long-target"
ln -s /bin/busybox "$X/absolute-symlink"
ln -s ../does/not/exist "$X/dangling-symlink"
cp /bin/busybox "$X/setuid-busybox"
cp /bin/busybox "$X/cap-busybox"
echo "owned by 1000:1000" >"$X/owned/user-file"
echo "user xattr" >"$X/xattr-file"
chown -h -R 0:0 "$E"                                # owners before modes: chown clears setuid
chown 1000:1000 "$X/owned" "$X/owned/user-file"
chown 65534:65534 "$X/empty-dir"
chmod -R u=rwX,go=rX "$E"
chmod 4755 "$X/setuid-busybox"
chmod 2775 "$X/setgid-dir"
chmod 1777 "$X/sticky"
chmod 0600 "$X/owned/user-file"
setxattr "$X/xattr-file" user.jcontainerd.test 68656c6c6f       # "hello"
# struct vfs_cap_data, revision 2, little endian: magic|effective, permitted = cap_net_bind_service (10)
setxattr "$X/cap-busybox" security.capability 0100000200040000000000000000000000000000
add_layer edgecases "add /edge (hardlinks, fifo, device, modes, owners, xattrs, long names)" "$E" \
  --xattrs --xattrs-include='user.*' --xattrs-include='security.capability'

# --- large -------------------------------------------------------------------------------------
# Each layer: ~60% copies of the two busybox binaries (gzip's 32 KiB window sees each copy as new
# data, so they compress like binaries, ~1.9x), ~10% seeded pseudo-random bytes (like compressed
# assets), ~30% seeded text (like docs and scripts, ~3x). Overall about 2x, like real image
# layers. Seeded per layer: every layer blob differs.

umoci config --image "$B:busybox-$HOST_ARCH" --tag large --no-history --created "$CREATED"
for i in $(seq 1 "$LARGE_LAYERS"); do
  L="$WORK/large-$i/opt/large/$i"
  mkdir -p "$L/bin" "$L/data" "$L/share"
  target=$((LARGE_LAYER_MB * 1024 * 1024))
  bin_bytes=0 n=0
  while [ $bin_bytes -lt $((target * 60 / 100)) ]; do
    for arch in "$HOST_ARCH" "$OTHER_ARCH"; do
      cp "${BUSYBOX[$arch]}" "$L/bin/tool-$arch-$n"
      bin_bytes=$((bin_bytes + $(stat -c %s "${BUSYBOX[$arch]}")))
    done
    n=$((n + 1))
  done
  perl -e 'srand($ARGV[0]); my $n = $ARGV[1] / 4; my $chunk = 65536;
           while ($n > 0) { my $k = $n < $chunk ? $n : $chunk; print pack("L*", map { int(rand(4294967296)) } 1..$k); $n -= $k; }' \
    "$i" $((target * 10 / 100)) >"$L/data/random.bin"
  perl -e 'srand(1000 + $ARGV[0]); my @w = map { join "", map { chr(97 + int(rand(26))) } 1..(2 + int(rand(9))) } 1..1000;
           my $left = $ARGV[1]; while ($left > 0) { my $line = join(" ", map { $w[int(rand(@w))] } 1..(4 + int(rand(12)))) . "\n"; print $line; $left -= length $line; }' \
    "$i" $((target * 30 / 100)) >"$L/share/words.txt"
  chmod -R u=rwX,go=rX "$WORK/large-$i"
  add_layer large "add /opt/large/$i" "$WORK/large-$i"
  rm -rf "$WORK/large-$i"
done

# --- pause -------------------------------------------------------------------------------------
# A stand-in for registry.k8s.io/pause: the same busybox layer, an entrypoint that holds the pod's
# namespaces open and exits 0 on SIGTERM/SIGINT (PID 1 ignores signals it has no handler for).
# The sleep is killed too, so none is left behind with the host's PID namespace (hostPID pods).

umoci config --image "$B:busybox-$HOST_ARCH" --tag pause --no-history --created "$CREATED" --clear=config.cmd \
  --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint 'trap "kill \$p 2>/dev/null; exit 0" TERM INT; while :; do sleep 3600 & p=$!; wait $p; done' \
  --config.label "org.opencontainers.image.description=jcontainerd test pause image: busybox sh sleeping until SIGTERM/SIGINT"

# --- multiarch index ---------------------------------------------------------------------------
# umoci and skopeo do not write indexes: write one by hand in a layout that shares $B's blobs.

M="$WORK/multiarch"
mkdir -p "$M/blobs/sha256"
cp -l "$B"/blobs/sha256/* "$M/blobs/sha256/"
printf '{"imageLayoutVersion":"1.0.0"}' >"$M/oci-layout"
descriptor() { # descriptor <tag> <arch> [variant]: the manifest descriptor of $B:<tag>, with its platform
  # Through a file: command substitution would drop the manifest's trailing newline.
  skopeo inspect --raw "oci:$B:$1" >"$WORK/manifest-$1"
  local variant=; [ -n "${3:-}" ] && variant=",\"variant\":\"$3\""
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"platform":{"architecture":"%s","os":"linux"%s}}' \
    "$(sha256sum <"$WORK/manifest-$1" | cut -d' ' -f1)" "$(stat -c %s "$WORK/manifest-$1")" "$2" "$variant"
}
INDEX=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
  "$(descriptor busybox-amd64 amd64)" "$(descriptor busybox-arm64 arm64 v8)")
INDEX_DIGEST=$(printf '%s' "$INDEX" | sha256sum | cut -d' ' -f1)
printf '%s' "$INDEX" >"$M/blobs/sha256/$INDEX_DIGEST"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"multiarch"}}]}' \
  "$INDEX_DIGEST" "$(printf '%s' "$INDEX" | wc -c)" >"$M/index.json"

# --- publish -----------------------------------------------------------------------------------

publish "busybox-$HOST_ARCH" busybox:latest --format v2s2
publish "busybox-$HOST_ARCH" busybox:oci --format oci
publish whiteouts whiteouts:latest --format oci
publish edgecases edgecases:latest --format oci
publish large large:latest --format oci
publish pause pause:3.6 --format oci
# Recompression goes through fresh intermediate copies: copying straight into $OUT would reuse the
# gzip layer already there instead of recompressing it.
skopeo copy -q --format oci --dest-compress-format zstd "oci:$B:busybox-$HOST_ARCH" "oci:$WORK/zstd:zstd" >&2
skopeo copy -q "oci:$WORK/zstd:zstd" "oci:$OUT:zstd:latest" >&2
skopeo copy -q --format oci --dest-decompress "oci:$B:busybox-$HOST_ARCH" "dir:$WORK/uncompressed" >&2
skopeo copy -q --dest-oci-accept-uncompressed-layers "dir:$WORK/uncompressed" "oci:$OUT:uncompressed:latest" >&2
skopeo copy -q --all "oci:$M:multiarch" "oci:$OUT:multiarch:latest" >&2
skopeo copy -q --all --format v2s2 "oci:$M:multiarch" "oci:$OUT:multiarch:docker" >&2

# What test-registry.sh pushes: <ref.name holding the expected manifest> <ref.name to push from>
# <repository:tag> [skopeo copy options]. skopeo reads only OCI manifests from a layout, so the
# schema 2 tag is pushed from busybox:oci converted (deterministically) to the manifest stored
# under busybox:latest. --raw: pushed without skopeo, which would gzip the uncompressed layer.
cat >"$OUT/jcontainerd-fixture.images" <<'EOF'
busybox:latest busybox:oci library/busybox:latest --format v2s2
busybox:oci busybox:oci library/busybox:oci
multiarch:latest multiarch:latest library/multiarch:latest --all
multiarch:docker multiarch:latest library/multiarch:docker --all --format v2s2
whiteouts:latest whiteouts:latest library/whiteouts:latest
edgecases:latest edgecases:latest library/edgecases:latest
large:latest large:latest library/large:latest
zstd:latest zstd:latest library/zstd:latest
uncompressed:latest uncompressed:latest library/uncompressed:latest --raw
pause:3.6 pause:3.6 library/pause:3.6
pause:3.6 pause:3.6 pause:3.6
EOF
echo "$KEY" >"$OUT/jcontainerd-fixture.key"

rm -rf "$CACHE"
mv "$OUT" "$CACHE"
log "built $CACHE (key $KEY) in $(( ($(date +%s%N) - START) / 1000000 )) ms"
echo "$CACHE"
