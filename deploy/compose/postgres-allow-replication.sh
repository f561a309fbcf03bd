#!/usr/bin/env bash
# Run once by the postgres image when it initialises a new data volume: lets the `strata` user
# open replication connections, which the scale profile's postgres-replica uses for its base
# backup and WAL stream. A volume initialised before this file existed lacks the line: add it to
# pg_hba.conf by hand (and reload), or the replica keeps retrying while Strata reads from the
# primary and reports the replica down.
set -euo pipefail
echo "host replication strata all scram-sha-256" >> "$PGDATA/pg_hba.conf"
