#!/usr/bin/env bash
# Installs what is missing and starts the worker for development. With no DATABASE_URL it runs on an
# embedded PostgreSQL (data under .data/postgres, reused on the next start). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")"

# Install when node_modules is absent or older than the lockfile. npm works on any Node from 20;
# the project's own Node 24 comes from the `node` devDependency.
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

exec npm run --silent dev:start
