#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. Machines here may come with an older Node: then node@24 (the
# npm registry package that ships the binary) is installed once into a cache and used from there.
set -euo pipefail
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  home="${BATON_NODE24_DIR:-$HOME/.cache/baton-fivetran/node24}"
  if [ ! -x "$home/node_modules/node/bin/node" ]; then
    echo "baton-fivetran: Node $major found; installing Node 24 from the npm registry into $home" >&2
    mkdir -p "$home"
    npm install --no-save --no-audit --no-fund --prefix "$home" node@24 >/dev/null
  fi
  export PATH="$home/node_modules/node/bin:$PATH"
fi
exec "$@"
