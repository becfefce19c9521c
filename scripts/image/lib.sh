# shellcheck shell=bash
# Sourced by the image and container scripts: where things are cached, podman's
# configuration, and which engine builds. Everything lives outside the repository.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}"
image_cache="$cache/image"
# Every script that sources this file writes logs and state under $cache: make it first,
# so a fresh machine (no ~/.cache yet) gets past the first log line.
mkdir -p "$cache"
# shellcheck disable=SC2034 # used by the scripts that source this file
image="${PULSAR_GATE_IMAGE:-localhost/pulsar-gate:local}"

say() { printf 'pulsar-gate: %s\n' "$*" >&2; }

# The base image, exactly as the Dockerfile's first FROM names it (node:24-bookworm-slim).
dockerfile_base() { awk 'toupper($1) == "FROM" { print $2; exit }' "$root/Dockerfile"; }

# Podman stores short Docker Hub names fully qualified: node:x -> docker.io/library/node:x.
qualified() {
  case "$1" in
    */*/*) echo "$1" ;;
    */*) case "${1%%/*}" in *.* | *:* | localhost) echo "$1" ;; *) echo "docker.io/$1" ;; esac ;;
    *) echo "docker.io/library/$1" ;;
  esac
}

# Installs podman and runc when missing (root only) and points podman at a containers.conf
# that works here: the defaults fail on rlimits (default_ulimits) and hybrid cgroups.
ensure_podman() {
  if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      say "podman and runc are missing: apt-get install podman runc (as root)"
      return 1
    fi
    say "installing podman and runc (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      podman runc; } >"$cache/apt-podman.log" 2>&1 || { tail -20 "$cache/apt-podman.log" >&2; return 1; }
  fi
  mkdir -p "$image_cache"
  if [ -z "${CONTAINERS_CONF:-}" ]; then
    local conf="$image_cache/containers.conf"
    local want='[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"'
    [ "$(cat "$conf" 2>/dev/null)" = "$want" ] || printf '%s\n' "$want" >"$conf"
    export CONTAINERS_CONF="$conf"
  fi
}

# docker when a Docker engine (not podman behind DOCKER_HOST) answers, else podman.
# PULSAR_GATE_ENGINE=docker|podman overrides.
pick_engine() {
  if [ -n "${PULSAR_GATE_ENGINE:-}" ]; then
    echo "$PULSAR_GATE_ENGINE"
  elif command -v docker >/dev/null && timeout 10 docker version >/dev/null 2>&1 &&
    ! timeout 10 docker version 2>/dev/null | grep -qi podman; then
    echo docker
  else
    echo podman
  fi
}

# Bytes of an image as the engine reports them (uncompressed, all layers).
image_bytes() { "$1" image inspect --format '{{.Size}}' "$2" 2>/dev/null; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
