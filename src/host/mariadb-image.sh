#!/usr/bin/env bash
# Builds greenci/mariadb:10.11-local from src/host/mariadb/ (Debian 12's MariaDB packages, installed
# by apt FROM greenci/debian:12-local; containers reach Debian's mirror, no registry is involved).
#
# Cached by content: the image carries a label greenci.base.mariadb with a hash of the build
# context (every file's name, mode and content) and the Debian base image's id. It is built only
# when no image has that label value: a change to the Dockerfile, the entrypoint or the config, or
# a rebuilt Debian base, builds it again (Docker's layer cache keeps the apt-get layer when only
# the files copied after it changed). A failed build leaves the old image, if any, as it was.
#
# Usage: bash src/host/mariadb-image.sh [--force]   (prepare.sh runs it; --force: no layer cache either)
set -euo pipefail
cd "$(dirname "$0")"

log() { printf 'greenci-host: %s\n' "$*" >&2; }

IMAGE="${GREENCI_MARIADB_IMAGE:-greenci/mariadb:10.11-local}"
BASE="${GREENCI_DEBIAN_IMAGE:-greenci/debian:12-local}"
LABEL=greenci.base.mariadb

base_id="$(docker image inspect -f '{{ .Id }}' "$BASE" 2>/dev/null)" ||
  { log "$IMAGE is built FROM $BASE, which is not on this host: run src/host/debian-base.sh first"; exit 1; }
context="$(find mariadb -type f -printf '%p %m\n' | LC_ALL=C sort | while read -r f m; do printf '%s %s %s\n' "$f" "$m" "$(sha256sum <"$f" | cut -c1-64)"; done | sha256sum | cut -c1-16)"
base_id="${base_id#sha256:}"
KEY="context=$context base=${base_id:0:16}"

made_from() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true; }
[ "$(made_from)" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
# one build at a time on this host (two `npm test` at once): the second finds the first one's image
exec 9>"${GREENCI_TMPDIR:-/var/tmp}/greenci-base-images.lock"
flock 9
[ "$(made_from)" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
old_id="$(docker image inspect -f '{{ .Id }}' "$IMAGE" 2>/dev/null || true)"
log "building $IMAGE from src/host/mariadb ($KEY; under a minute, once per host)"
t0=$(date +%s)
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
no_cache=()
[ "${1:-}" = --force ] && no_cache=(--no-cache)
if ! docker build "${no_cache[@]}" --force-rm --build-arg BASE="$BASE" --label "$LABEL=$KEY" -t "$IMAGE" mariadb >"$out" 2>&1; then
  log "building $IMAGE failed (the image was not changed); the end of the build's output:"
  tail -n 25 "$out" >&2
  exit 1
fi
# the image this one replaces goes, unless a container or an image built on it still needs it
new_id="$(docker image inspect -f '{{ .Id }}' "$IMAGE")"
[ -n "$old_id" ] && [ "$old_id" != "$new_id" ] && docker image rm "$old_id" >/dev/null 2>&1 || true
version="$(docker run --rm --network none --entrypoint mariadbd "$IMAGE" --version 2>/dev/null)"
case "$version" in
  *" 10.11."*) ;;
  *) log "$IMAGE was built but its server is not MariaDB 10.11: $version"; exit 1 ;;
esac
size="$(docker image inspect -f '{{ .Size }}' "$IMAGE")"
log "built $IMAGE in $(($(date +%s) - t0)) s, $((size / 1000000)) MB: ${version#*Ver }"
