#!/usr/bin/env bash
# Prepares this host for greenci's demo and tests, idempotently:
#   1. node dependencies (npm ci) and the TypeScript build, when missing or stale;
#   2. a Docker engine answering on /var/run/docker.sock (installs Debian's docker.io as root
#      when there is no dockerd, starts it without systemd when it is not running);
#   3. HAProxy from Debian (the front proxy's image is built from it by greenci);
#   4. the local base image the sample project builds FROM (no registry is ever contacted), and
#      the same with the mysql2 client library for the sample's apps (node-mysql2-image.sh);
#      and a static busybox (Debian's busybox-static) that tests build tiny images from;
#   5. a minimal Debian 12 image made here (debootstrap, once per host: about 1-2 minutes) and
#      Debian's MariaDB 10.11 on it, for databases (debian-base.sh and mariadb-image.sh say how).
# Safe to run again and again: each step does nothing when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'greenci-host: %s\n' "$*" >&2; }
SOCK=/var/run/docker.sock
BASE_IMAGE="${GREENCI_BASE_IMAGE:-greenci/node:20-local}"

# 1. Node dependencies and build -------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing node dependencies (npm ci)"
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/src/bin.js ] || [ -n "$(find src engine views config -newer dist/src/bin.js -name '*.ts' -print -quit 2>/dev/null)" ] || [ tsconfig.json -nt dist/src/bin.js ]; then
  log "building (tsc)"
  npx tsc -p tsconfig.json >&2
  chmod +x dist/src/bin.js
fi

# 2. Docker engine ---------------------------------------------------------------------------
ping_docker() { curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }
if ! ping_docker; then
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      log "no Docker engine answers on $SOCK and I cannot install one here (need root and apt-get)."
      log "Install Docker and start it, then run this again."
      exit 1
    fi
    log "installing Debian's docker.io"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >&2
  fi
  if ! ping_docker; then
    log "starting dockerd (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 300); do
      ping_docker && break
      if ! kill -0 "$pid" 2>/dev/null; then
        log "dockerd exited while starting; last lines of /var/log/dockerd.log:"
        tail -n 20 /var/log/dockerd.log >&2
        exit 1
      fi
      sleep 0.1
    done
    ping_docker || { log "dockerd did not answer within 30 s"; exit 1; }
  fi
fi

# 2b. A static busybox: tests build tiny FROM-scratch images from it -----------------------------
if [ ! -x /bin/busybox ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's busybox-static (tests build tiny images from it)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >&2
  else
    log "no /bin/busybox and I cannot install busybox-static here (need root and apt-get); the container tests will say so"
  fi
fi

# 2b'. HAProxy: production's front proxy runs the host's own haproxy in a FROM-scratch image ------
if [ ! -x /usr/sbin/haproxy ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's haproxy (production's front proxy; greenci builds its image from the host's binary)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >&2
    # greenci runs it in a container; the host's own service is not wanted
    (command -v systemctl >/dev/null 2>&1 && systemctl disable --now haproxy >/dev/null 2>&1) || true
    pkill -f 'haproxy .*-f /etc/haproxy/haproxy.cfg' 2>/dev/null || true
  else
    log "no /usr/sbin/haproxy and I cannot install it here (need root and apt-get); production releases will say so"
  fi
fi

# 2c. tmux: the console's end-to-end tests drive it in a real terminal ----------------------------
if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's tmux (the console's end-to-end tests run in it)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >&2
  else
    log "no tmux and I cannot install it here (need root and apt-get); the console's end-to-end test will fail"
  fi
fi

# 3. Local base image: the host's own node binary and the libraries it links, FROM scratch ----
NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_ID="$("$NODE_BIN" --version)-$(sha256sum "$NODE_BIN" | cut -c1-12)"
have="$(docker image inspect -f '{{ index .Config.Labels "greenci.base.node" }}' "$BASE_IMAGE" 2>/dev/null || true)"
if [ "$have" != "$NODE_ID" ]; then
  log "building base image $BASE_IMAGE from $NODE_BIN ($NODE_ID)"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/etc"
  cp "$NODE_BIN" "$ctx/rootfs/usr/local/bin/node"
  # every shared library node links, at the path the loader looks for it
  ldd "$NODE_BIN" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
    mkdir -p "$ctx/rootfs$(dirname "$lib")"
    cp -L "$lib" "$ctx/rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' >"$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$ctx/rootfs/etc/group"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production
LABEL greenci.base.node="$NODE_ID"
CMD ["node"]
DOCKERFILE
  chmod 1777 "$ctx/rootfs/tmp"
  docker build -q -t "$BASE_IMAGE" "$ctx" >&2
fi

# 4b. The node image with mysql2 (the sample's apps talk to MariaDB; their builds have no network)
bash src/host/node-mysql2-image.sh

# 5. A real Debian base (debootstrap | docker import) and MariaDB from Debian's packages on it -----
# Each is built only when missing or made from something else (a label keeps what from).
bash src/host/debian-base.sh
bash src/host/mariadb-image.sh
log "ready: docker $(docker version -f '{{.Server.Version}}'), base images $BASE_IMAGE, ${GREENCI_NODE_MYSQL2_IMAGE:-greenci/node-mysql2:20-local}, ${GREENCI_DEBIAN_IMAGE:-greenci/debian:12-local}, ${GREENCI_MARIADB_IMAGE:-greenci/mariadb:10.11-local}"
