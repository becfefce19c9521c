#!/bin/sh
# Runs a command with Node >= 22 first on PATH and the project's packages installed,
# so `npm run demo` and `npm test` work on a fresh clone whatever node the machine has.
# Node 24 comes from the npm registry (the `node` package ships the binary) and is
# cached outside the repo.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cache="${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  bin="$cache/node24/node_modules/node/bin"
  if [ ! -x "$bin/node" ]; then
    echo "pulsar-gate: node $major is older than 22; installing Node 24 from the npm registry into $cache/node24" >&2
    mkdir -p "$cache/node24"
    npm install --prefix "$cache/node24" --no-save --no-audit --no-fund node@24 >&2
  fi
  PATH="$bin:$PATH"
  export PATH
fi
if [ ! -f "$root/node_modules/.package-lock.json" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "pulsar-gate: installing packages (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund >&2)
fi
PATH="$root/node_modules/.bin:$PATH"
export PATH
exec "$@"
