#!/usr/bin/env bash
# Makes a local stand-in for the Dockerfile's base image (node:24-bookworm-slim) for podman
# on machines that cannot pull: Debian minbase from the machine's own apt mirror
# (debootstrap), slimmed like debian:*-slim, plus the Node binary from the npm package
# node@<major> and npm from the npm package npm, laid out as the official image lays them
# (/usr/local, user node 1000, docker-entrypoint.sh), and imported under the base's exact
# name. Skipped when that image is already present (pulled or made). Output is cached in
# ~/.cache/pulsar-gate/image, so only the first run pays for debootstrap.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_podman

base=$(dockerfile_base)
name=$(qualified "$base")
if podman image exists "$name"; then
  exit 0
fi
tag=${base#*:}                  # 24-bookworm-slim
major=${tag%%-*}                # 24
suite=$(echo "$tag" | cut -d- -f2) # bookworm
case "$major" in 2[4-9] | [3-9]?) npm_major=11 ;; *) npm_major=10 ;; esac

# The first apt source serving $suite (deb822 .sources or one-line .list); no other mirror is reachable.
mirror=${PULSAR_GATE_DEBIAN_MIRROR:-$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v s="$suite" '
  /^[[:space:]]*$/ { uri = ""; ok = 0 }
  $1 == "URIs:" { uri = $2 }
  $1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
  ok && uri != "" { print uri; exit }
  $1 == "deb" { sub(/\[[^]]*\] */, ""); if ($3 == s) { print $2; exit } }')}
mirror=${mirror:-http://deb.debian.org/debian}

started=$(date +%s)
rootfs_tar="$image_cache/debian-$suite-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null || {
    say "installing debootstrap (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      debootstrap; } >/dev/null
  }
  say "debootstrap --variant=minbase $suite from $mirror (once; cached in $rootfs_tar)"
  work=$(mktemp -d "$image_cache/debootstrap.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$image_cache/debootstrap.log" 2>&1 ||
    { tail -20 "$image_cache/debootstrap.log" >&2; exit 1; }
  r="$work/rootfs"
  # What debian:*-slim leaves out (docs but copyright, man pages, locales), and what no image carries.
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/locale/*' >"$r/etc/dpkg/dpkg.cfg.d/docker"
  find "$r/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$r"/usr/share/{man,groff,info,lintian,locale}/* "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/cache/apt/*.bin "$r"/var/lib/apt/lists/* "$r"/var/log/* "$r"/etc/resolv.conf "$r"/etc/hostname
  tar -C "$r" --numeric-owner -cf "$rootfs_tar.part" . && mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

# Node from the npm registry (the same cache scripts/node.sh uses), npm as the image ships it.
node_dir="$cache/node$major"
if [ ! -x "$node_dir/node_modules/node/bin/node" ]; then
  say "installing node@$major from the npm registry into $node_dir"
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-save --no-audit --no-fund "node@$major" >&2
fi
node_bin="$node_dir/node_modules/node/bin/node"
node_version=$("$node_bin" --version)
npm_tgz=$(ls "$image_cache"/npm-"$npm_major".*.tgz 2>/dev/null | tail -1 || true)
if [ -z "$npm_tgz" ]; then
  (cd "$image_cache" && npm pack --silent "npm@$npm_major" >/dev/null)
  npm_tgz=$(ls "$image_cache"/npm-"$npm_major".*.tgz | tail -1)
fi

say "assembling $name (stand-in: Debian $suite minbase + Node $node_version + $(basename "$npm_tgz" .tgz))"
work=$(mktemp -d "$image_cache/base.XXXXXX")
trap 'rm -rf "$work"' EXIT
r="$work/rootfs"
mkdir -p "$r"
tar -C "$r" -xf "$rootfs_tar"
install -m 0755 "$node_bin" "$r/usr/local/bin/node"
mkdir -p "$r/usr/local/lib/node_modules/npm"
tar -C "$r/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner -xzf "$npm_tgz"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
chroot "$r" groupadd --gid 1000 node
chroot "$r" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# The official image's entrypoint: runs node when the first argument is not a command.
cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
chmod 0755 "$r/usr/local/bin/docker-entrypoint.sh"
tar -C "$r" --numeric-owner -cf - . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change "LABEL dev.pulsar-gate.stand-in=debootstrap-minbase-$suite+node-$node_version" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]' \
  --message "stand-in for $base" - "$name" >/dev/null
say "made $name in $(($(date +%s) - started)) s: $(mb "$(image_bytes podman "$name")")"
