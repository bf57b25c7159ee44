#!/usr/bin/env bash
# A second Docker engine in swarm mode beside the host's own, for trying greenci's Swarm target and
# for its tests: its own data root, exec root, pid file and socket under DIR, no bridge and no
# iptables rules (it leaves the main engine's networking alone), a single-node swarm listening on
# 127.0.0.1. The main engine is never put into swarm mode.
#
#   swarm-engine.sh start DIR [PORT] [ADDR]
#                                      start it (idempotent) and init the swarm, listening and
#                                      advertising on ADDR (default 127.0.0.1; a worker in a network
#                                      namespace needs the host's address on its veth); prints its socket
#   swarm-engine.sh stop DIR           stop it (SIGTERM, then SIGKILL after 20 s) and remove DIR
#   swarm-engine.sh status DIR         exit 0 when it answers, printing its swarm state
#
# DIR should be short (the exec root holds unix sockets, whose paths are limited to 107 bytes).
set -euo pipefail

# shellcheck source=swarm-lib.sh
. "$(dirname "$0")/swarm-lib.sh"

log() { printf 'greenci-swarm: %s\n' "$*" >&2; }
usage() { log "usage: $0 start|stop|status DIR [PORT]"; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port=${3:-2378}
addr=${4:-127.0.0.1}
case "$port" in ''|*[!0-9]*) usage ;; esac
case "$addr" in ''|*[!0-9.]*) usage ;; esac
sock="$dir/docker.sock"
pidfile="$dir/docker.pid"

ping_engine() { curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }
swarm_state() { docker -H "unix://$sock" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    if ! ping_engine; then
      command -v dockerd >/dev/null 2>&1 || { log "no dockerd on PATH (run src/host/prepare.sh first)"; exit 1; }
      # services are created from local image ids: never look them up on a registry
      DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nohup dockerd \
        --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" \
        -H "unix://$sock" --bridge=none --iptables=false --ip-masq=false \
        >"$dir/dockerd.log" 2>&1 </dev/null &
      pid=$!
      for _ in $(seq 1 300); do
        ping_engine && break
        if ! kill -0 "$pid" 2>/dev/null; then
          log "dockerd exited while starting; last lines of $dir/dockerd.log:"
          tail -n 20 "$dir/dockerd.log" >&2
          exit 1
        fi
        sleep 0.1
      done
      ping_engine || { log "the swarm engine did not answer within 30 s ($dir/dockerd.log)"; exit 1; }
    fi
    if [ "$(swarm_state)" != active ]; then
      docker -H "unix://$sock" swarm init --advertise-addr "$addr" --listen-addr "$addr:$port" >/dev/null
    fi
    printf '%s\n' "$sock"
    ;;
  stop)
    stop_engine "$dir" || { log "could not remove $dir"; exit 1; }
    ;;
  status)
    ping_engine || { log "not running ($sock does not answer)"; exit 1; }
    printf 'swarm: %s\n' "$(swarm_state)"
    ;;
  *) usage ;;
esac
