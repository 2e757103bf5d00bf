#!/bin/sh
# Run once by the postgres image when it creates the primary's data directory (/docker-entrypoint-initdb.d):
# lets the `postgres-replica` service (docker-compose.yml, profile "replica") stream from it. The role is
# POSTGRES_USER, which the image makes a superuser (superusers may replicate).
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
