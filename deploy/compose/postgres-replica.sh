#!/usr/bin/env bash
# The scale profile's read replica: on first start a base backup of the `postgres` service
# (pg_basebackup -R writes standby.signal and primary_conninfo), then a hot standby streaming
# from it. Strata reads from it through DATABASE_REPLICA_URLS.
set -euo pipefail
export PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h postgres -U strata -D "$PGDATA" -R -X stream --checkpoint=fast; do
    echo "postgres-replica: the primary refused the base backup; retrying in 5 s" >&2
    find "$PGDATA" -mindepth 1 -delete
    sleep 5
  done
fi
chmod 700 "$PGDATA"
exec postgres
