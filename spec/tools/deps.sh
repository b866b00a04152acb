#!/bin/sh
# Installs what a fresh Debian 12 machine lacks to build, demo and test this
# project. Runs apt-get only when something is missing.
set -eu
PKGS="build-essential cmake pkg-config liblua5.4-dev lua5.4 lua-cjson lua-socket
libcurl4-openssl-dev libssl-dev libmbedtls-dev lua-busted luarocks luajit2 libluajit2-5.1-dev
python3 openssl curl valgrind nginx libnginx-mod-http-lua lua-resty-core
clang libclang-rt-14-dev locales libexpat1-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
