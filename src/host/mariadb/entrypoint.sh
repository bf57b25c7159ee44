#!/bin/bash
# greenci/mariadb's entrypoint. On the first start on an empty data directory (the service's volume
# at /var/lib/mysql) it initialises it: system tables (mariadb-install-db), then, on a server that
# listens on no network, the database MARIADB_DATABASE and the user MARIADB_USER (password
# MARIADB_PASSWORD) with every privilege on it. root can only log in from inside the container as
# the OS user root (unix socket): `docker exec <container> mariadb-dump ...` needs no password.
# Then it execs mariadbd, which takes SIGTERM from `docker stop` itself and shuts down cleanly.
#
# The values reach SQL only base64-encoded: the server decodes and quotes them (QUOTE, and
# backticks doubled in the database name), so no character in them can change a statement.
# Later starts use the data directory as it is: changing the variables then changes nothing.
set -euo pipefail

DATADIR=/var/lib/mysql
INIT_SOCKET=/run/mysqld/init.sock
# Written before the first initialisation starts and removed when it has finished: if it is there at
# a start, that initialisation was cut short (the container stopped or died) before any data was
# written, and the directory is initialised again.
INCOMPLETE="$DATADIR/.greenci-init-incomplete"

log() { printf '%s 0 [Note] greenci-mariadb-entrypoint: %s\n' "$(date '+%F %T')" "$*" >&2; }
die() {
  printf '%s 0 [ERROR] greenci-mariadb-entrypoint: %s\n' "$(date '+%F %T')" "$*" >&2
  exit 1
}

# `docker run IMAGE --some-option` passes options to mariadbd; any other command runs as given.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  # a fresh named volume belongs to root unless Docker copied the image's directory owner into it
  chown mysql:mysql "$DATADIR" /run/mysqld
  set -- "$@" --user=mysql
fi

initialise() {
  local db="${MARIADB_DATABASE:-}" user="${MARIADB_USER:-}" password="${MARIADB_PASSWORD:-}"
  # checked before anything is written, so a wrong setting leaves the directory empty
  local db_name='^[A-Za-z0-9_$-]+$' user_name='^[A-Za-z0-9_.-]+$'
  if [ -n "$db" ] && { [ "${#db}" -gt 64 ] || [[ ! "$db" =~ $db_name ]]; }; then
    die "MARIADB_DATABASE must be 1-64 letters, digits, _, \$ or -"
  fi
  if [ -n "$user" ]; then
    if [ "${#user}" -gt 80 ] || [[ ! "$user" =~ $user_name ]]; then die "MARIADB_USER must be 1-80 letters, digits, _, . or -"; fi
    [ "$user" != root ] && [ "$user" != mysql ] && [ "$user" != mariadb.sys ] || die "MARIADB_USER may not be $user"
    [ -n "$password" ] || die "MARIADB_USER is set but MARIADB_PASSWORD is empty: give the user a password"
  elif [ -n "$password" ]; then
    die "MARIADB_PASSWORD is set but MARIADB_USER is not"
  fi

  log "initialising the empty data directory $DATADIR (first start)"
  : >"$INCOMPLETE"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db --skip-name-resolve \
    --auth-root-authentication-method=socket >/tmp/install-db.log 2>&1 ||
    { cat /tmp/install-db.log >&2; die "mariadb-install-db failed"; }

  # a server nobody else can reach: no network, a socket of its own (health checks use the usual one)
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$INIT_SOCKET" &
  local pid=$!
  # stopped while initialising: the marker stays (the next start begins again), so the temporary
  # server may go any way; it gets 5 s to stop (it ignores SIGTERM while InnoDB starts), then SIGKILL
  stop_init() {
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 143; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    exit 143
  }
  trap stop_init TERM INT
  local tries=0
  until mariadb-admin --socket="$INIT_SOCKET" --user=root ping --silent >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "the server stopped while the data directory was being initialised (its log is above)"
    tries=$((tries + 1))
    [ "$tries" -le 1200 ] || die "the server did not answer within 120 s while initialising"
    sleep 0.1
  done

  b64() { printf '%s' "$1" | base64 -w0; }
  {
    echo "SET NAMES utf8mb4;"
    echo "SET @db = CONVERT(FROM_BASE64('$(b64 "$db")') USING utf8mb4), @user = CONVERT(FROM_BASE64('$(b64 "$user")') USING utf8mb4), @password = CONVERT(FROM_BASE64('$(b64 "$password")') USING utf8mb4);"
    # root and mysql from localhost only, no anonymous users (mariadb-install-db also grants proxying
    # to mysql@<this container's hostname>, a name that means nothing with skip-name-resolve)
    echo "DELETE FROM mysql.global_priv WHERE User = '' OR Host <> 'localhost';"
    echo "DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';"
    if [ -n "$db" ]; then
      echo "EXECUTE IMMEDIATE CONCAT('CREATE DATABASE IF NOT EXISTS \`', REPLACE(@db, '\`', '\`\`'), '\`');"
    fi
    if [ -n "$user" ]; then
      echo "EXECUTE IMMEDIATE CONCAT('CREATE USER ', QUOTE(@user), '@''%'' IDENTIFIED BY ', QUOTE(@password));"
      if [ -n "$db" ]; then
        echo "EXECUTE IMMEDIATE CONCAT('GRANT ALL PRIVILEGES ON \`', REPLACE(@db, '\`', '\`\`'), '\`.* TO ', QUOTE(@user), '@''%''');"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$INIT_SOCKET" --user=root --batch ||
    die "creating the database and user failed"

  mariadb-admin --socket="$INIT_SOCKET" --user=root shutdown || die "the temporary server did not shut down"
  wait "$pid" || die "the temporary server exited with an error while shutting down"
  trap - TERM INT
  rm -f "$INCOMPLETE"
  sync
  log "initialised${db:+: database $db}${user:+, user $user}"
}

if [ -e "$INCOMPLETE" ]; then
  log "the first initialisation of $DATADIR was cut short (before any data was written): starting it again"
  find "$DATADIR" -mindepth 1 -delete
fi
if [ -z "$(find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name lost+found -print -quit)" ]; then
  initialise
elif [ ! -d "$DATADIR/mysql" ]; then
  die "$DATADIR is not empty but holds no MariaDB data directory (no mysql/ in it); not touching it"
fi

exec "$@"
