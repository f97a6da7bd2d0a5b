#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries are on this machine, for the tests that run the store on
# PostgreSQL and two gateway processes on one database. It starts nothing: the test run itself initdb's a
# throwaway cluster into a temporary folder, starts it on a free 127.0.0.1 port it owns, creates the role and
# the database, and removes it all at the end (test/support/postgres-global-setup.ts).
set -euo pipefail

have_server() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1
}

if ! have_server; then
  echo "== apt-get: installing Debian's postgresql"
  apt-get update -q
  # No default cluster on port 5432 at install time: the tests bring their own, on a port of their own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-common
  if [ -f /etc/postgresql-common/createcluster.conf ]; then
    sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  have_server || { echo "postgresql is installed, yet there is no initdb under /usr/lib/postgresql/*/bin" >&2; exit 1; }
fi
echo "== PostgreSQL server binaries: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr '\n' ' ')"
# initdb refuses root; as root the tests run the cluster as the package's `postgres` user, through runuser.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null && command -v runuser >/dev/null || { echo "running as root needs the postgres user and runuser" >&2; exit 1; }
fi
