#!/usr/bin/env bash
# A PyPI package in a venv cached outside the repository, for the test peers and tools that
# come from PyPI (moto, kubernetes-validate). Idempotent and quick when cached; safe when
# several processes ask at once (flock). Prints the venv's bin directory.
#   pypi-venv.sh NAME VERSION REQUIREMENT     e.g. pypi-venv.sh moto 5.2.1 'moto[server]==5.2.1'
set -euo pipefail
name=${1:?usage: pypi-venv.sh NAME VERSION REQUIREMENT}
version=${2:?usage: pypi-venv.sh NAME VERSION REQUIREMENT}
requirement=${3:?usage: pypi-venv.sh NAME VERSION REQUIREMENT}
dir="${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}/$name"
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
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "$requirement" >&2
    touch "$marker"
  fi
fi
echo "$dir/venv/bin"
