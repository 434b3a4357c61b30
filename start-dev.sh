#!/usr/bin/env bash
# Installs what is missing and starts the worker for development. With no DATABASE_URL it runs on an
# embedded PostgreSQL (data under .data/postgres, reused on the next start), seeded with a dev league
# on first start; unless ESPN_LEAGUE_ID is set, a local ESPN stand-in serves that league. Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")"

# Install when node_modules is absent or older than the lockfile. npm works on any Node from 20;
# the project's own Node 24 comes from the `node` devDependency, which npm scripts put first on PATH.
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "start-dev.sh: npm not found; install Node.js 20 or newer (it comes with npm), then run ./start-dev.sh again" >&2
    exit 1
  fi
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 20 ]; then
    echo "start-dev.sh: Node.js $(node -v 2>/dev/null || echo '(none)') is too old to install the project; install Node.js 20 or newer" >&2
    exit 1
  fi
  if [ "$node_major" -lt 24 ]; then
    echo "Installing with Node.js $(node -v). npm warns (EBADENGINE) that packages want a newer Node: expected, the project runs on its own Node 24 from node_modules."
  fi
  npm ci --no-audit --no-fund
fi

exec npm run --silent dev:start
