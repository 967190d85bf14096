#!/bin/sh
# pg_run.sh URLFILE TEST [ARGS...] - run a test against the throwaway
# PostgreSQL cluster whose URL scripts/pg-cluster wrote to URLFILE (the
# ctest fixture "pg"): OSAFE_TEST_PG makes the API fixture (api_client.h)
# put each server's database there.  No cluster (PostgreSQL not installed):
# SKIP (77), saying why.
urlfile=$1
shift
if [ ! -s "$urlfile" ]; then
    echo "SKIP: no PostgreSQL test cluster ($(cat "$urlfile.why" 2>/dev/null || echo "not started"))"
    exit 77
fi
OSAFE_TEST_PG=$(cat "$urlfile") exec "$@"
