#!/bin/sh
# The upload benchmark (a stage of bench/run.sh, or alone):
#     sh bench/upload/run.sh DIR
# Uploads a file of random bytes (1 GiB; BENCH_SCALE=0.1 -> 102 MiB) to the
# fake COS (spec/fake_vod, pinned to CPU 0) with `curl -T`, the official COS
# Node.js SDK (cos-nodejs-sdk-v5, pinned in bench/upload/node, installed from
# npm into DIR/node) and the library's client:upload (Lua 5.4 and LuaJIT;
# "not available" while the build has none), each client pinned to CPU 1 and
# measured alone: CPU, wall time, peak RSS. Writes DIR/upload.json, which
# bench/report.py prints. See bench/upload/harness.py.
# BENCH_UPLOAD_ONLY=curl,node-sdk,node-sdk-8x4,library-5.4,library-jit runs
# only those entries.
set -eu
[ $# -eq 1 ] || { echo "usage: sh bench/upload/run.sh DIR" >&2; exit 2; }
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
[ -d build/tree54 ] && [ -d build/treejit ] || sh spec/tools/build.sh
for tool in curl node npm; do
  command -v $tool >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl nodejs npm >/dev/null
    break; }
done
mkdir -p "$DIR/node"
cp bench/upload/node/package.json bench/upload/node/package-lock.json "$DIR/node/"
npm ci --prefix "$DIR/node" --prefer-offline --no-audit --no-fund --loglevel=error >"$DIR/npm.log" 2>&1 \
  || { cat "$DIR/npm.log"; exit 1; }
cc -O2 -Wall -Wextra bench/upload/measure.c -o "$DIR/measure"
python3 bench/upload/harness.py "$DIR" "$ROOT"
