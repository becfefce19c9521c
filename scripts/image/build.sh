#!/usr/bin/env bash
# npm run image: builds the pipe image from the project's Dockerfile and prints its size
# beside the base image's. `build.sh service` (npm run image:service) builds the decision
# service's image from deploy/service.Dockerfile the same way. With Docker: a plain
# `docker build` (the real base is pulled). With podman (no Docker engine): the base stand-in
# is made first when the base is absent (scripts/image/base.sh), nothing is pulled, the build
# uses the host's network, and when the machine's npm trusts an extra CA bundle, `npm ci`
# inside sees it through read-only mounts that exist only while RUN steps run — never in the
# Dockerfile or the image.
# For the service image, this machine's build of the native Pulsar client (scripts/native-client.sh
# caches it) is staged in deploy/native/ first (stage_native below), and the image's
# /service/native/source says which client it carries.
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

# The addon scripts/native-client.sh compiled here (where the prebuilt binary cannot be
# downloaded) and the libpulsar.so it links to, into deploy/native/ for the service build
# (scripts/image/native-runtime.sh). It is an N-API addon: any node ABI's build loads in the
# image's node. What an earlier run staged goes first, so a stale copy is never shipped.
stage_native() {
  local dir="$root/deploy/native" version addon cpp lib
  mkdir -p "$dir"
  find "$dir" -mindepth 1 ! -name README.md -delete
  version=$(node -p 'require(process.argv[1]).packages["node_modules/pulsar-client"].version' "$root/package-lock.json")
  addon=$(ls -d "$cache/pulsar-client-$version"-node-abi*/pulsar-client 2>/dev/null | sort | tail -1 || true)
  cpp=$(sed -n 's/^CPP_CLIENT_VERSION=//p' "${addon:-/nonexistent}/pulsar-client-cpp.txt" 2>/dev/null || true)
  lib="$cache/libpulsar-$cpp/lib/libpulsar.so"
  if [ -n "$addon" ] && [ -n "$cpp" ] && [ -f "$addon/lib/binding/pulsar.node" ] && [ -f "$lib" ]; then
    cp "$addon/lib/binding/pulsar.node" "$lib" "$dir/"
    say "staged this machine's pulsar-client $version (libpulsar $cpp) for the image"
  else
    say "no machine build of pulsar-client $version in $cache (scripts/native-client.sh makes one): the image carries the native client only if the build's npm ci downloads its prebuilt binary"
  fi
}

engine=$(pick_engine)
base=$(dockerfile_base)

# One build at a time: test workers may ask for the image together; the second is all cache hits.
exec 9>"$image_cache/build.lock"
flock 9
[ "${1:-pipe}" != service ] || stage_native

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
if [ "${1:-pipe}" = service ]; then
  native=$("$engine" run --rm --network=none --entrypoint cat "$image" /service/native/source 2>/dev/null || echo unknown)
  case "$native" in
    prebuilt) say "native client: the prebuilt pulsar-client; serve works over pulsar:// and ws://" ;;
    machine) say "native client: this machine's pulsar-client build and libpulsar.so; serve works over pulsar:// and ws://" ;;
    *) say "no native client in the image ($native): pulsar:// URLs fail with the one-line install hint; ws:// works" ;;
  esac
fi
echo "$image: $(mb "$size") (base $base_ref: $(mb "$base_size"), +$(mb $((size - base_size))))"
