#!/usr/bin/env bash
# The Kubernetes schema validator: PyPI `kubernetes-validate`, which ships the Kubernetes
# OpenAPI schemas in its wheel (kubeconform fetches them from GitHub at run time, which CI
# cannot reach), in a venv cached outside the repository (test/support/pypi-venv.sh).
# Prints the venv's bin directory. Used by .ci/run and test/deploy/kubernetes.int.test.ts.
set -euo pipefail
version=1.37.0
bash "$(dirname "$0")/../support/pypi-venv.sh" kubernetes-validate "$version" "kubernetes-validate==$version"
