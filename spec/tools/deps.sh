#!/bin/sh
# Installs what a fresh Debian 12 machine lacks, for one use; runs apt-get only
# when something is missing.
#
#   sh spec/tools/deps.sh [test]   everything `make test` needs (the default)
#   sh spec/tools/deps.sh demo     what `make demo` needs: the rock on Lua 5.4,
#                                  python3, openssl and curl for the fake endpoint
#   sh spec/tools/deps.sh list SET print a set, one package a line, and exit:
#                                  rock (what building and installing the rock
#                                  needs with any interpreter), rock-5.1,
#                                  rock-5.2, rock-5.3, rock-5.4, rock-jit (its
#                                  interpreter and headers), demo, test
#
# The rock sets are the documented install list: spec/tools/dist_check.sh
# checks that its installs use files of these packages (and of what they
# depend on) only.
set -eu

# building and installing the rock: a C compiler and the C library's headers,
# make and cmake (the rockspec's build type), luarocks, the headers of libcurl
# built with OpenSSL, of OpenSSL, mbedTLS and libexpat
ROCK="gcc libc6-dev make cmake luarocks libcurl4-openssl-dev libssl-dev libmbedtls-dev libexpat1-dev"
# ... and one interpreter with its headers
ROCK_54="lua5.4 liblua5.4-dev"
ROCK_53="lua5.3 liblua5.3-dev"
ROCK_52="lua5.2 liblua5.2-dev"
ROCK_51="lua5.1 liblua5.1-0-dev"
ROCK_JIT="luajit2 libluajit2-5.1-dev"

# make demo: the rock on Lua 5.4, the fake endpoint (python3, openssl for its
# test CA) and curl to configure it
DEMO="$ROCK $ROCK_54 python3 openssl curl"

# make test: the other interpreters; busted, lua-cjson and LuaSocket (Debian
# builds them for every interpreter); zip, unzip, git and strace for the
# release rock's check; nginx with the Lua module; valgrind; clang and its
# sanitizer and libFuzzer runtimes; locales (specs switch LC_NUMERIC)
TEST="$DEMO $ROCK_53 $ROCK_52 $ROCK_51 $ROCK_JIT build-essential pkg-config lua-cjson lua-socket
lua-busted zip unzip git strace valgrind nginx libnginx-mod-http-lua lua-resty-core clang
libclang-rt-14-dev locales"

case ${1:-test} in
  test) PKGS=$TEST ;;
  demo) PKGS=$DEMO ;;
  list)
    case ${2:-} in
      rock) PKGS=$ROCK ;;
      rock-5.4) PKGS=$ROCK_54 ;;
      rock-5.3) PKGS=$ROCK_53 ;;
      rock-5.2) PKGS=$ROCK_52 ;;
      rock-5.1) PKGS=$ROCK_51 ;;
      rock-jit) PKGS=$ROCK_JIT ;;
      demo) PKGS=$DEMO ;;
      test) PKGS=$TEST ;;
      *) echo "usage: sh spec/tools/deps.sh list rock|rock-5.1|rock-5.2|rock-5.3|rock-5.4|rock-jit|demo|test" >&2
         exit 2 ;;
    esac
    printf '%s\n' $PKGS
    exit 0 ;;
  *) echo "usage: sh spec/tools/deps.sh [test|demo|list SET]" >&2; exit 2 ;;
esac

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
