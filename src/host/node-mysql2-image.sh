#!/usr/bin/env bash
# Builds greenci/node-mysql2:20-local: the local node image (greenci/node:20-local, made by
# prepare.sh) with the mysql2 client library installed globally (NODE_PATH), for the sample's
# apps, which keep their data in MariaDB. greenci builds images with no network, so an app cannot
# `npm install` while it is built: the library comes from this host instead. The version is the
# one greenci's own package-lock.json pins (a devDependency, with its integrity hash), installed
# from npm's cache that `npm ci` filled.
#
# Cached by content: the image carries a label greenci.base.mysql2 with the mysql2 version and the
# node image's id; it is built only when no image has that label value.
#
# Usage: bash src/host/node-mysql2-image.sh [--force]   (prepare.sh runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'greenci-host: %s\n' "$*" >&2; }

IMAGE="${GREENCI_NODE_MYSQL2_IMAGE:-greenci/node-mysql2:20-local}"
BASE="${GREENCI_BASE_IMAGE:-greenci/node:20-local}"
LABEL=greenci.base.mysql2

version="$(node -p "require('./node_modules/mysql2/package.json').version" 2>/dev/null)" ||
  { log "node_modules/mysql2 is missing: run npm ci first"; exit 1; }
base_id="$(docker image inspect -f '{{ .Id }}' "$BASE" 2>/dev/null)" ||
  { log "$IMAGE is built FROM $BASE, which is not on this host: run src/host/prepare.sh"; exit 1; }
base_id="${base_id#sha256:}"
KEY="mysql2=$version base=${base_id:0:16}"

made_from() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true; }
[ "$(made_from)" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
exec 9>"${GREENCI_TMPDIR:-/var/tmp}/greenci-base-images.lock"
flock 9
[ "$(made_from)" = "$KEY" ] && [ "${1:-}" != --force ] && exit 0
old_id="$(docker image inspect -f '{{ .Id }}' "$IMAGE" 2>/dev/null || true)"
log "building $IMAGE ($KEY)"
t0=$(date +%s)
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
# exactly the lock's tree of mysql2 and its dependencies: a throwaway package whose lock is greenci's
# own, pruned by npm to what mysql2 needs (no install scripts: mysql2 is plain JavaScript)
mkdir -p "$ctx/lib"
printf '{"name":"greenci-mysql2-image","private":true,"dependencies":{"mysql2":"%s"}}\n' "$version" >"$ctx/lib/package.json"
if ! npm install --prefix "$ctx/lib" --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --no-package-lock >"$ctx/npm.log" 2>&1; then
  log "installing mysql2@$version for $IMAGE failed:"
  tail -n 20 "$ctx/npm.log" >&2
  exit 1
fi
rm -f "$ctx/lib/package.json" "$ctx/npm.log"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY lib/node_modules/ /usr/local/lib/node_modules/
ENV NODE_PATH=/usr/local/lib/node_modules
LABEL $LABEL="$KEY"
DOCKERFILE
if ! out="$(docker build -q --force-rm -t "$IMAGE" "$ctx" 2>&1)"; then
  log "building $IMAGE failed (the image was not changed): $out"
  exit 1
fi
new_id="$(docker image inspect -f '{{ .Id }}' "$IMAGE")"
[ -n "$old_id" ] && [ "$old_id" != "$new_id" ] && docker image rm "$old_id" >/dev/null 2>&1 || true
# it must load where an app's `require('mysql2/promise')` finds it
got="$(docker run --rm --network none "$IMAGE" node -p "require('mysql2/package.json').version" 2>&1)" || true
[ "$got" = "$version" ] || { log "$IMAGE was built but require('mysql2') in it says: $got"; exit 1; }
size="$(docker image inspect -f '{{ .Size }}' "$IMAGE")"
log "built $IMAGE in $(($(date +%s) - t0)) s, $((size / 1000000)) MB: mysql2 $version"
