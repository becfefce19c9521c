#!/usr/bin/env bash
# The Kubernetes schema validator: PyPI `kubernetes-validate`, which ships the Kubernetes
# OpenAPI schemas in its wheel (kubeconform fetches them from GitHub at run time, which CI
# cannot reach), in a venv cached outside the repository. Idempotent and quick when cached:
# prints the venv's bin directory and exits. Used by .ci/run and test/deploy/kubernetes.int.test.ts.
set -euo pipefail
version=1.37.0
dir="${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}/kubernetes-validate"
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
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$version" >&2
    touch "$marker"
  fi
fi
echo "$dir/venv/bin"
