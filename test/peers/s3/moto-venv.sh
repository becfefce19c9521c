#!/usr/bin/env bash
# The S3 test peer: moto in server mode (PyPI `moto[server]`), in a venv cached outside the
# repository (test/support/pypi-venv.sh). Prints the moto_server path.
# Used by .ci/run and by the vitest global setup (test/setup/moto.ts).
set -euo pipefail
version=5.2.1
bin=$(bash "$(dirname "$0")/../../support/pypi-venv.sh" moto "$version" "moto[server]==$version")
echo "$bin/moto_server"
