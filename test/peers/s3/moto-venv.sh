#!/usr/bin/env bash
# The S3 test peer: moto in server mode (PyPI `moto[server]`), in a venv cached outside the
# repository. Idempotent and quick when cached: prints the moto_server path and exits.
# Used by .ci/run and by the vitest global setup (test/setup/moto.ts).
set -euo pipefail
version=5.2.1
dir="${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}/moto"
marker="$dir/installed-$version"
if [ ! -f "$marker" ]; then
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  if [ ! -f "$marker" ]; then
    rm -rf "$dir/venv"
    if ! python3 -m venv "$dir/venv" >&2; then
      # Debian's python3 keeps venv in a package of its own.
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      python3 -m venv "$dir/venv" >&2
    fi
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$version" >&2
    touch "$marker"
  fi
fi
echo "$dir/venv/bin/moto_server"
