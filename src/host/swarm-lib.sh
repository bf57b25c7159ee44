# Shared by swarm-engine.sh and swarm-worker.sh (sourced, not run).

# Stops a dockerd whose roots are all under DIR and leaves nothing of it: the daemon (SIGTERM, then
# SIGKILL after 20 s), its containerd and shims (their arguments name DIR), the processes of its
# containers (they outlive a killed engine and its shims: found by the containers' cgroups), what
# it left mounted under DIR, and DIR. Returns 1 when DIR could not be removed.
stop_engine() {
  local dir=$1 pidfile="$1/docker.pid" pid id procs m
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    fi
  fi
  pkill -TERM -f -- "$dir/" 2>/dev/null || true
  for _ in $(seq 1 100); do pgrep -f -- "$dir/" >/dev/null 2>&1 || break; sleep 0.1; done
  pkill -KILL -f -- "$dir/" 2>/dev/null || true
  for id in $(ls "$dir/data/containers" 2>/dev/null); do
    for procs in /sys/fs/cgroup/pids/docker/"$id"/cgroup.procs; do
      [ -f "$procs" ] && xargs -r kill -KILL <"$procs" 2>/dev/null || true
    done
  done
  { grep -o " $dir/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  for _ in 1 2 3 4 5; do rm -rf "$dir" 2>/dev/null && break; sleep 0.2; done
  [ ! -e "$dir" ]
}
