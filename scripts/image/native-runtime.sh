#!/bin/sh
# Runs in deploy/service.Dockerfile's build stage, in /build after `npm ci`: lays out the
# native Pulsar client (`pulsar-client`, for pulsar:// URLs) for the final stage, from the
# first source that has it:
#   prebuilt  `npm ci` kept pulsar-client: its install downloaded the prebuilt binary (which
#             links libpulsar statically) and the addon loads here;
#   machine   scripts/image/build.sh staged this machine's build (scripts/native-client.sh)
#             in deploy/native/, COPY'd to ./native: pulsar.node and the libpulsar.so it links
#             to; the package's JavaScript comes from the registry at the lock's versions
#             (--ignore-scripts: the binary is the staged one), and the final stage installs
#             the Debian libraries libpulsar.so links to;
#   none      neither: the image serves the WebSocket API only and a pulsar:// URL fails with
#             the one-line install hint (src/transport/native/load.ts).
# Output: /runtime/node_modules/ gets pulsar-client and its runtime dependency closure (npm's
# own tree, nested copies where npm nested them), /runtime/native/lib/ the libpulsar.so to
# ship (machine only), /runtime/native/source the word above (build.sh and the tests read it).
set -eu
staged=native
out=/runtime/native
mkdir -p "$out/lib" /runtime/node_modules
version=$(node -p 'require("./package-lock.json").packages["node_modules/pulsar-client"].version')

if node -e 'require("pulsar-client")' 2>/dev/null; then
  source=prebuilt
elif [ -f "$staged/pulsar.node" ] && [ -f "$staged/libpulsar.so" ]; then
  npm install --no-save --no-audit --no-fund --ignore-scripts "pulsar-client@$version"
  npm cache clean --force
  mkdir -p node_modules/pulsar-client/lib/binding
  # Where node-pre-gyp's find() looks: package.json "binary.module_path".
  cp "$staged/pulsar.node" node_modules/pulsar-client/lib/binding/pulsar.node
  cp "$staged/libpulsar.so" "$out/lib/libpulsar.so"
  source=machine
else
  source=none
fi

if [ "$source" != none ]; then
  # The packages pulsar-client needs at run time, as npm resolved them: `npm query` walks the
  # installed tree's dependency edges (devDependencies of a dependency are not edges).
  # (Through a file: sh has no pipefail, and a failed query must fail the build.)
  npm query '#pulsar-client, #pulsar-client *' >/tmp/closure.json
  node -e 'for (const n of require("/tmp/closure.json")) console.log(n.location)' >/tmp/closure.txt
  [ -s /tmp/closure.txt ]
  while read -r location; do
    mkdir -p "/runtime/$location"
    # Each package without its own node_modules: the nested packages it needs are listed too.
    tar -C "$location" --exclude=./node_modules -cf - . | tar -C "/runtime/$location" -xf -
  done </tmp/closure.txt
  # The addon is compiled: its C++ sources and any build tree are not needed to load it.
  rm -rf /runtime/node_modules/pulsar-client/build /runtime/node_modules/pulsar-client/src/*.cc \
    /runtime/node_modules/pulsar-client/src/*.h /runtime/node_modules/pulsar-client/binding.gyp
fi
echo "$source" >"$out/source"
case "$source" in
  prebuilt) echo "pulsar-gate: native client: pulsar-client $version, its prebuilt binary" ;;
  machine) echo "pulsar-gate: native client: pulsar-client $version built on this machine, with its libpulsar.so" ;;
  none) echo "pulsar-gate: no native client (no prebuilt binary, none staged by build.sh): pulsar:// URLs will fail with the install hint; ws:// works" ;;
esac
