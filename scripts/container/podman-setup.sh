#!/usr/bin/env bash
# podman as the container engine for testcontainers, on machines without Docker.
#   install    podman and runc (apt-get, root) and the containers.conf that works on these
#              machines (scripts/image/lib.sh); fast when already done
#   start      install, then serve podman's Docker-compatible API on a socket in a fresh
#              temporary directory and print the environment testcontainers needs, for eval:
#              DOCKER_HOST, no Ryuk (its image cannot be pulled), loopback as the host
#   stop DIR   stops the service that `start` left in DIR (printed as PULSAR_GATE_PODMAN_DIR)
# Storage is podman's own (/var/lib/containers for root), outside the repository.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/../image/lib.sh"

case "${1:-start}" in
install)
  ensure_podman
  say "$(podman --version) ($CONTAINERS_CONF)"
  ;;
start)
  ensure_podman
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pulsar-gate-podman.XXXXXX")
  sock="$dir/podman.sock"
  # setsid: the service outlives this script; `stop` ends it by the pid kept here.
  setsid podman system service --time=0 "unix://$sock" </dev/null >"$dir/service.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 150); do
    if [ -S "$sock" ] && podman --url "unix://$sock" version >/dev/null 2>&1; then
      printf 'export %s\n' "DOCKER_HOST=unix://$sock" TESTCONTAINERS_RYUK_DISABLED=true \
        TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 "CONTAINERS_CONF=$CONTAINERS_CONF" \
        "PULSAR_GATE_PODMAN_DIR=$dir"
      exit 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  say "podman system service did not answer on $sock:"
  tail -20 "$dir/service.log" >&2
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
  exit 1
  ;;
stop)
  dir=${2:?usage: podman-setup.sh stop DIR}
  case "$dir" in "${TMPDIR:-/tmp}"/pulsar-gate-podman.*) ;; *) say "not a podman-setup directory: $dir"; exit 2 ;; esac
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  say "usage: podman-setup.sh install | start | stop DIR"
  exit 2
  ;;
esac
