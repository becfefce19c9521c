#!/usr/bin/env bash
# npm run image: builds the pipe image from the project's Dockerfile and prints its size
# beside the base image's. `build.sh service` (npm run image:service) builds the decision
# service's image from deploy/service.Dockerfile the same way. With Docker: a plain
# `docker build` (the real base is pulled). With podman (no Docker engine): the base stand-in
# is made first when the base is absent (scripts/image/base.sh), nothing is pulled, the build
# uses the host's network, and when the machine's npm trusts an extra CA bundle, `npm ci`
# inside sees it through read-only mounts that exist only while RUN steps run — never in the
# Dockerfile or the image.
# PULSAR_GATE_IMAGE names the pipe image (default localhost/pulsar-gate:local),
# PULSAR_GATE_SERVICE_IMAGE the service's (default localhost/pulsar-gate-service:local).
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/lib.sh"
case "${1:-pipe}" in
  pipe) dockerfile="$root/Dockerfile" ;;
  service)
    dockerfile="$root/deploy/service.Dockerfile"
    image="${PULSAR_GATE_SERVICE_IMAGE:-localhost/pulsar-gate-service:local}"
    ;;
  *) say "usage: build.sh [pipe|service]"; exit 2 ;;
esac
mkdir -p "$image_cache"
engine=$(pick_engine)
base=$(dockerfile_base)

# One build at a time: test workers may ask for the image together; the second is all cache hits.
exec 9>"$image_cache/build.lock"
flock 9

# The machine's npm config decides; NODE_EXTRA_CA_CERTS when npm itself names no cafile.
cafile=$(npm config get cafile 2>/dev/null || true)
[ "$cafile" = null ] || [ "$cafile" = undefined ] && cafile=
cafile=${cafile:-${NODE_EXTRA_CA_CERTS:-}}
registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)

started=$(date +%s)
if [ "$engine" = docker ]; then
  base_ref=$base
  [ -z "$cafile" ] || say "note: docker build does not see $cafile; if npm ci fails on TLS, build with podman"
  docker build -t "$image" -f "$dockerfile" "$root" >&2
else
  ensure_podman
  bash "$root/scripts/image/base.sh"
  base_ref=$(qualified "$base")
  mounts=()
  npmrc=''
  if [ -n "$cafile" ] && [ -s "$cafile" ]; then
    mounts+=(-v "$cafile:/etc/ssl/certs/ca-certificates.crt:ro")
    npmrc="cafile=/etc/ssl/certs/ca-certificates.crt"$'\n'
  fi
  [ "$registry" = https://registry.npmjs.org/ ] || npmrc+="registry=$registry"$'\n'
  if [ -n "$npmrc" ]; then
    # npm's global config is $PREFIX/etc/npmrc, and node images install into /usr/local.
    printf '%s' "$npmrc" >"$image_cache/build.npmrc"
    mounts+=(-v "$image_cache/build.npmrc:/usr/local/etc/npmrc:ro")
  fi
  # Docker's image format: OCI's has no HEALTHCHECK, and podman would drop the service's.
  build=(podman build --pull=never --network=host --layers --format docker -f "$dockerfile")
  if [ ${#mounts[@]} -gt 0 ]; then
    # Buildah leaves an empty file at each mount point in every layer a RUN step commits, so
    # only the build stage (the one running npm ci) sees the mounts; the second pass takes it
    # from the layer cache and builds the final stage without them.
    stage=$(awk 'toupper($1) == "FROM" && toupper($3) == "AS" { print $4; exit }' "$dockerfile")
    "${build[@]}" "${mounts[@]}" --target "$stage" "$root" >&2
  fi
  "${build[@]}" -t "$image" "$root" >&2
fi

size=$(image_bytes "$engine" "$image")
base_size=$(image_bytes "$engine" "$base_ref")
say "built $image with $engine in $(($(date +%s) - started)) s"
echo "$image: $(mb "$size") (base $base_ref: $(mb "$base_size"), +$(mb $((size - base_size))))"
