#!/bin/sh
# The "migration": prepares the data volume once and records the schema version.
set -e
mkdir -p "${DATA_DIR:-/data}/orders"
echo 2 > "${DATA_DIR:-/data}/schema-version"
echo "migrated to schema 2"
