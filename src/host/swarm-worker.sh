#!/usr/bin/env bash
# A second swarm node on this one machine, for greenci's tests: a network namespace of its own
# (NAME), joined to the host by a veth pair (HOST_ADDR on the host's end, NODE_ADDR on the node's,
# a /30), a dockerd inside it (its own roots and socket under DIR, its own hostname NAME), joined
# to the swarm whose manager answers on MANAGER_SOCK as a worker. The manager must listen on
# HOST_ADDR (swarm-engine.sh start DIR PORT HOST_ADDR).
#
#   swarm-worker.sh net DIR NAME HOST_ADDR NODE_ADDR   the namespace and veth only (the manager
#                                      must listen on HOST_ADDR before the worker can join it)
#   swarm-worker.sh start DIR NAME HOST_ADDR NODE_ADDR MANAGER_SOCK MANAGER_PORT
#   swarm-worker.sh kill DIR           kill -9 its dockerd (the node goes away; its namespace stays)
#   swarm-worker.sh stop DIR NAME      stop it, remove its namespace, veth and DIR
set -euo pipefail

# shellcheck source=swarm-lib.sh
. "$(dirname "$0")/swarm-lib.sh"

log() { printf 'greenci-swarm-worker: %s\n' "$*" >&2; }
usage() { log "usage: $0 net DIR NAME HOST_ADDR NODE_ADDR | start DIR NAME HOST_ADDR NODE_ADDR MANAGER_SOCK MANAGER_PORT | kill DIR | stop DIR NAME"; exit 2; }
name_ok() { case "$1" in ''|*[!a-z0-9-]*) return 1 ;; esac; [ ${#1} -le 10 ]; }
addr_ok() { case "$1" in ''|*[!0-9.]*) return 1 ;; esac; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
sock="$dir/docker.sock"
pidfile="$dir/docker.pid"
ping_engine() { curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }
net_up() {
  local name=$1 host_addr=$2 node_addr=$3 ns="gsw-$1"
  [ -e "/var/run/netns/$ns" ] && return 0
  ip netns add "$ns"
  ip link add "gswh-$name" type veth peer name "gswn-$name"
  ip link set "gswn-$name" netns "$ns"
  ip addr add "$host_addr/30" dev "gswh-$name"
  ip link set "gswh-$name" up
  ip netns exec "$ns" ip addr add "$node_addr/30" dev "gswn-$name"
  ip netns exec "$ns" ip link set "gswn-$name" up
  ip netns exec "$ns" ip link set lo up
}

case "$cmd" in
  net)
    [ $# -eq 5 ] || usage
    name_ok "$3" && addr_ok "$4" && addr_ok "$5" || usage
    mkdir -p "$dir"
    net_up "$3" "$4" "$5"
    ;;
  start)
    [ $# -eq 7 ] || usage
    name=$3 host_addr=$4 node_addr=$5 manager=$6 manager_port=$7
    name_ok "$name" && addr_ok "$host_addr" && addr_ok "$node_addr" || usage
    ns="gsw-$name"
    mkdir -p "$dir"
    net_up "$name" "$host_addr" "$node_addr"
    if ! ping_engine; then
      # only the network namespace is entered (ip netns exec would remount /sys without the
      # cgroups dockerd needs); its own UTS namespace gives the node its own hostname
      DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nohup unshare --uts sh -c "hostname '$name' && exec nsenter --net=/var/run/netns/$ns dockerd \
        --data-root '$dir/data' --exec-root '$dir/exec' --pidfile '$pidfile' -H 'unix://$sock' \
        --bridge=none --iptables=false --ip-masq=false" >"$dir/dockerd.log" 2>&1 </dev/null &
      for _ in $(seq 1 300); do ping_engine && break; sleep 0.1; done
      ping_engine || { log "the worker's dockerd did not answer within 30 s:"; tail -n 20 "$dir/dockerd.log" >&2; exit 1; }
    fi
    if [ "$(docker -H "unix://$sock" info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
      token=$(docker -H "unix://$manager" swarm join-token -q worker)
      docker -H "unix://$sock" swarm join --token "$token" --advertise-addr "$node_addr" --listen-addr "$node_addr:$manager_port" \
        "$host_addr:$manager_port" >/dev/null
    fi
    printf '%s\n' "$sock"
    ;;
  kill)
    [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    ;;
  stop)
    [ $# -eq 3 ] || usage
    name=$3
    name_ok "$name" || usage
    ok=0
    stop_engine "$dir" || ok=1
    ip netns del "gsw-$name" 2>/dev/null || true
    ip link del "gswh-$name" 2>/dev/null || true
    [ "$ok" = 0 ] || { log "could not remove $dir"; exit 1; }
    ;;
  *) usage ;;
esac
