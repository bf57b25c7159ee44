#!/bin/bash
# greenci/mariadb's health check: healthy when the real server (not the one that initialises the
# data directory, which listens on no network) answers a query over TCP as the app's user, in the
# app's database, with InnoDB up. Without MARIADB_USER it asks as root over the unix socket.
set -euo pipefail
query="SELECT SUPPORT FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB'"
if [ -n "${MARIADB_USER:-}" ]; then
  # the password goes through the environment, never the command line
  support="$(MYSQL_PWD="${MARIADB_PASSWORD:-}" mariadb --no-defaults --protocol=tcp --host=127.0.0.1 --port=3306 \
    --connect-timeout=3 --user="$MARIADB_USER" ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} \
    --batch --skip-column-names --execute="$query")"
else
  support="$(mariadb --protocol=socket --socket=/run/mysqld/mysqld.sock --connect-timeout=3 --user=root \
    --batch --skip-column-names --execute="$query")"
fi
case "$support" in
  YES | DEFAULT) exit 0 ;;
  *) echo "InnoDB is not available (${support:-no answer})" >&2; exit 1 ;;
esac
