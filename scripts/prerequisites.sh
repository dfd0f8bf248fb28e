#!/usr/bin/env bash
# Installs what the tests and the sample need on a fresh machine; does nothing when it is all there.
set -euo pipefail

need_pg=/usr/lib/postgresql/15/bin/initdb
if [ ! -x "$need_pg" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "prerequisites: installing PostgreSQL server binaries"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
