#!/usr/bin/env bash
# Installs the optional native Pulsar client (`pulsar-client`, the version package-lock.json
# pins) so pulsar:// works and its contract suite runs; prints the exports the processes that
# load it need (eval them). `.ci/run` calls it; docs/development.md describes it.
#
# In order, the first that gives an addon that loads:
#   1. the one already installed (`npm ci` fetched the prebuilt binary, or an earlier run);
#   2. a build of this pinned version for this node and libpulsar, cached in the cache dir;
#   3. `npm install` of the prebuilt binary (it bundles libpulsar), where it can be downloaded;
#   4. the machine's copy of the C++ client build script, $LIBPULSAR_BUILD_SCRIPT (it builds
#      libpulsar once into the cache dir and prints the compiler's and loader's exports),
#      then `npm install pulsar-client@<pinned> --build-from-source`; the result is cached (2).
# Cache dir: ${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}. Only package registries are
# reached here; the build script's own apt-get needs root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${PULSAR_GATE_CACHE:-$HOME/.cache/pulsar-gate}
log() { printf 'native-client: %s\n' "$*" >&2; }
version=$(node -p 'require("./package-lock.json").packages["node_modules/pulsar-client"].version')
abi=$(node -p 'process.versions.modules')
loads() { node -e 'require("pulsar-client").Client' >/dev/null 2>&1; }
exports=""
emit() { printf '%s\n' "$exports"; }

# A libpulsar built by an earlier run: the addon compiled against it needs it at run time.
libdir=$(ls -d "$cache"/libpulsar-*/lib 2>/dev/null | sort | tail -1 || true)
if [ -n "$libdir" ] && [ -f "$libdir/libpulsar.so" ]; then
  export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  exports="export LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
fi

if loads; then log "pulsar-client $version loads (installed)"; emit; exit 0; fi

# --no-save: package.json and the lock stay as they are (it is an optionalDependency).
install() { npm install --no-save --no-audit --no-fund "pulsar-client@$version" "$@" >&2; }

saved="$cache/pulsar-client-$version-node-abi$abi"
if [ -d "$saved/pulsar-client" ] && [ -d node_modules ]; then
  # Its dependencies (npm ci dropped them with the package), then the cached build over it.
  [ -d node_modules/pulsar-client ] || npm_config_ignore_scripts=true install
  rm -rf node_modules/pulsar-client
  cp -a "$saved/pulsar-client" node_modules/pulsar-client
  if loads; then log "pulsar-client $version loads (from $saved)"; emit; exit 0; fi
  log "the cached build in $saved does not load; building again"
fi

log "trying the prebuilt binary of pulsar-client $version"
if npm_config_build_from_source=false install 2>/dev/null && loads; then
  log "pulsar-client $version loads (prebuilt)"; emit; exit 0
fi

script=${LIBPULSAR_BUILD_SCRIPT:-}
if [ -z "$script" ] || [ ! -f "$script" ]; then
  log "no prebuilt binary, and LIBPULSAR_BUILD_SCRIPT (the C++ client build script) is not set or absent: pulsar:// tests will fail"
  exit 1
fi
started=$(date +%s)
eval "$(bash "$script")"
log "libpulsar ready in $(($(date +%s) - started)) s; compiling the addon"
started=$(date +%s)
# The run-time path is also baked into the addon (rpath), so a process started without
# LD_LIBRARY_PATH still finds libpulsar.so.
libdir=${LIBRARY_PATH%%:*}
LDFLAGS="-Wl,-rpath,$libdir${LDFLAGS:+ $LDFLAGS}" npm_config_build_from_source=true install
loads || { log "pulsar-client $version was built but does not load"; exit 1; }
log "pulsar-client $version compiled in $(($(date +%s) - started)) s"
rm -rf "$saved" && mkdir -p "$saved" && cp -a node_modules/pulsar-client "$saved/pulsar-client"
exports="export LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
emit
