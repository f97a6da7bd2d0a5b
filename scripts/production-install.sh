#!/usr/bin/env bash
# A production install of the built gateway, as the Dockerfile's runtime stage makes one:
#   scripts/production-install.sh SOURCE TARGET
# SOURCE is a built checkout (npm ci && npm run build). TARGET gets what a running gateway reads (package.json,
# package-lock.json, openapi/, dist/) and prepare's script, then `npm ci --omit=dev`: no tsx, no esbuild, no
# Prism. It runs configured mode only (`npm start`; `npm run doctor`); demo mode says it needs the dev
# dependencies.
# better-sqlite3 has no prebuilt binary for every Node here and builds from source (a minute, and a compiler).
# When SOURCE holds one built for this Node, it is handed to the install as a local prebuild (prebuild-install's
# npm_config_better_sqlite3_local_prebuilds): the runtime needs no compiler, and the install takes seconds.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE TARGET (SOURCE: a checkout after npm ci && npm run build)" >&2
  exit 2
fi
source_dir=$(cd "$1" && pwd)
target_dir=$2

for file in package.json package-lock.json openapi/gateway.yaml dist/server/server.js scripts/prepare.mjs; do
  if [ ! -f "$source_dir/$file" ]; then
    echo "production-install: $source_dir/$file is missing (run npm ci && npm run build there first)" >&2
    exit 1
  fi
done

mkdir -p "$target_dir/scripts"
rm -rf "$target_dir/openapi" "$target_dir/dist" "$target_dir/node_modules"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$target_dir/"
cp "$source_dir/scripts/prepare.mjs" "$target_dir/scripts/"
cp -R "$source_dir/openapi" "$source_dir/dist" "$target_dir/"

prebuilds=$(mktemp -d)
trap 'rm -rf "$prebuilds"' EXIT
binary="$source_dir/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
if [ -f "$binary" ]; then
  # The name prebuild-install looks for: <name>-v<version>-node-v<ABI>-<platform><libc>-<arch>.tar.gz.
  name=$(cd "$source_dir" && node -e '
    const { version } = require("./node_modules/better-sqlite3/package.json");
    const musl = process.platform === "linux" && !process.report.getReport().header.glibcVersionRuntime;
    console.log(`better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${musl ? "musl" : ""}-${process.arch}.tar.gz`);
  ')
  tar -czf "$prebuilds/$name" -C "$source_dir/node_modules/better-sqlite3" build/Release/better_sqlite3.node
  export npm_config_better_sqlite3_local_prebuilds="$prebuilds"
  echo "production-install: better-sqlite3's native module from $source_dir ($name)"
fi

cd "$target_dir"
npm ci --omit=dev --no-audit --no-fund --prefer-offline
echo "production-install: $target_dir is ready: npm start"
