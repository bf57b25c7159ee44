#!/usr/bin/env bash
# Builds greenci/debian:12-local, a minimal Debian 12 root file system made here (no registry):
#   debootstrap --variant=minbase bookworm DIR   then   tar -C DIR -c . | docker import -
# Dockerfiles build FROM it and `apt-get install` Debian's packages (containers reach the mirror).
#
# Cached by content: the image carries a label greenci.base.debian with what it was made from
# (variant, suite, mirror, architecture and this recipe's revision). It is built only when no
# image has that label value; change any of them (GREENCI_DEBIAN_MIRROR, a new RECIPE) and it is
# built again. A failed debootstrap or import leaves no image behind and says why; the temporary
# root is removed whatever happens (after unmounting anything debootstrap left mounted in it).
#
# Usage: bash src/host/debian-base.sh [--force]   (prepare.sh runs it; --force rebuilds regardless)
set -euo pipefail

log() { printf 'greenci-host: %s\n' "$*" >&2; }

IMAGE="${GREENCI_DEBIAN_IMAGE:-greenci/debian:12-local}"
VARIANT=minbase
SUITE=bookworm
MIRROR="${GREENCI_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${GREENCI_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# Bump when what this script puts into the root file system changes (sources, dpkg excludes...).
RECIPE=2
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"
KEY="debootstrap --variant=$VARIANT $SUITE $MIRROR security=$SECURITY_MIRROR arch=$ARCH recipe=$RECIPE"
LABEL=greenci.base.debian

made_from() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true; }
[ "$(made_from)" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
# one build at a time on this host (two `npm test` at once): the second finds the first one's image
exec 9>"${GREENCI_TMPDIR:-/var/tmp}/greenci-base-images.lock"
flock 9
have="$(made_from)"
[ "$have" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
old_id="$(docker image inspect -f '{{ .Id }}' "$IMAGE" 2>/dev/null || true)"
[ -n "$have" ] && log "$IMAGE was made from \"$have\"; building it again from \"$KEY\""

if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "building $IMAGE needs debootstrap, and I cannot install it here (need root and apt-get): apt-get install debootstrap"
    exit 1
  fi
  log "installing Debian's debootstrap (it makes the local Debian base image)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi
if [ "$(id -u)" != 0 ]; then
  log "building $IMAGE needs root (debootstrap creates device nodes and chroots)"
  exit 1
fi

work="$(mktemp -d "${GREENCI_TMPDIR:-/var/tmp}/greenci-debian.XXXXXX")"
root="$work/root"
cleanup() {
  # debootstrap mounts proc and sys inside the target; a run that died may leave them mounted,
  # and rm -rf must never walk into the host's /proc or /sys through them.
  awk -v p="$work/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building $IMAGE: $KEY (1-2 minutes; once per host)"
t0=$(date +%s)
if ! debootstrap --variant="$VARIANT" "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.out" 2>&1; then
  log "debootstrap failed, so $IMAGE was not built (nothing was imported). Its last lines:"
  tail -n 15 "$work/debootstrap.out" >&2
  [ -f "$root/debootstrap/debootstrap.log" ] && { log "and the end of its debootstrap.log:"; tail -n 15 "$root/debootstrap/debootstrap.log" >&2; }
  log "check that $MIRROR answers from here (GREENCI_DEBIAN_MIRROR picks another mirror)"
  exit 1
fi
t1=$(date +%s)

# What a container base needs, and nothing it does not.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
# packages' maintainer scripts must not start services while an image is built
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# images are built once and thrown away whole on failure: dpkg need not fsync every file it unpacks
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/greenci-unsafe-io"
# as Debian's -slim images: no documentation, manuals or translations (copyrights stay)
cat >"$root/etc/dpkg/dpkg.cfg.d/greenci-slim" <<'EXCLUDES'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EXCLUDES
find "$root/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
find "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian" "$root/usr/share/locale" -mindepth 1 -not -type d -delete 2>/dev/null || true
# apt's downloads and lists: a Dockerfile runs apt-get update first
cat >"$root/etc/apt/apt.conf.d/greenci-clean" <<'APTCONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APTCONF
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root/debootstrap"
find "$root/var/log" -type f -delete
: >"$root/etc/hostname"

tar_out="$work/tar.err"
id="$(tar --numeric-owner --xattrs --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$root" -c . 2>"$tar_out" |
  docker import \
    --change "LABEL $LABEL=\"$KEY\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    -m "greenci: $KEY" - 2>&1)" && [[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]] || {
  log "importing the Debian root into Docker failed, so $IMAGE was not built: $id $(tail -n 3 "$tar_out")"
  # an image whose stream broke off half way is not kept
  case "$id" in sha256:*) docker image rm "$id" >/dev/null 2>&1 || true ;; esac
  exit 1
}
docker tag "$id" "$IMAGE"
# the image this one replaces goes, unless a container or an image built on it still needs it
[ -n "$old_id" ] && [ "$old_id" != "$id" ] && docker image rm "$old_id" >/dev/null 2>&1 || true
t2=$(date +%s)
size="$(docker image inspect -f '{{ .Size }}' "$IMAGE")"
log "built $IMAGE: debootstrap $((t1 - t0)) s, import $((t2 - t1)) s, $((size / 1000000)) MB"
