#!/bin/sh
# The version has one source: the rockspec's `version` line (and its file
# name, which luarocks requires to carry it). CMakeLists.txt reads it for the
# C module (vod.VERSION, tcvod --version, the User-Agent); the rockspec's
# source.url and source.dir derive from it; the scripts find the rockspec by
# glob. This check fails when a copy comes back anywhere else in the tracked
# files: "X.Y.Z" or "X.Y.Z-R" of the current version, as a version (not as
# part of a longer number).
#
# Not copies: CHANGELOG.md (a release's heading names its version, by
# design), and npm's lock files (other packages' versions).
# README.md and docs/*.md name the rockspec by glob
# (rockspec/tencentcloud-vod-*.rockspec) and the rock as
# tencentcloud-vod-X.Y.Z-R.src.rock, so they are checked like the rest.
#
# One line per check (ok - / not ok -), then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
PASSED=0
FAILED=0
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
notok() { echo "not ok - $1"; FAILED=$((FAILED + 1)); }

set -- $(git ls-files 'rockspec/*.rockspec')
if [ $# -ne 1 ]; then
  notok "rockspec/ holds exactly one tracked rockspec (found $#)"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi
ok "rockspec/ holds exactly one tracked rockspec ($1)"
SPEC=$1
# the version line, read as CMakeLists.txt reads it
FULL=$(sed -n 's/^version *= *"\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*-[0-9][0-9]*\)"$/\1/p' "$SPEC")
PACKAGE=$(sed -n 's/^package *= *"\([^"]*\)"$/\1/p' "$SPEC")
if [ -z "$FULL" ] || [ -z "$PACKAGE" ]; then
  notok "$SPEC has a line package = \"NAME\" and a line version = \"X.Y.Z-R\""
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi
VER=${FULL%-*}
if [ "$(basename "$SPEC")" = "$PACKAGE-$FULL.rockspec" ]; then
  ok "the rockspec's name carries its version ($PACKAGE-$FULL.rockspec)"
else
  notok "the rockspec's name carries its version: $(basename "$SPEC") is not $PACKAGE-$FULL.rockspec"
fi
if [ "$(grep -c "$VER" "$SPEC")" -eq 1 ]; then
  ok "the rockspec names $VER once (the version line; source.url and source.dir derive from it)"
else
  notok "the rockspec names $VER once, on its version line:"
  grep -n "$VER" "$SPEC" | grep -v '^[0-9]*:version ='
fi

# every other tracked file: the version as a version (for 1.2.3: "1.2.3", "v1.2.3",
# "1.2.3-1"), not inside a longer number ("11.2.3.5", "1.2.3.4")
RE=$(printf '%s' "$VER" | sed 's/\./\\./g')
PATTERN="(^|[^0-9.])$RE([^0-9.]|\\.[^0-9]|\\.?\$)"
HITS=$(git ls-files -z | grep -zvE -e '^rockspec/[^/]*\.rockspec$' -e '^CHANGELOG\.md$' \
         -e '(^|/)package-lock\.json$' |
       xargs -0 grep -nIE "$PATTERN" -- 2>/dev/null)
if [ -z "$HITS" ]; then
  ok "no copy of the version $VER outside the rockspec ($(git ls-files | wc -l) tracked files)"
else
  notok "no copy of the version $VER outside the rockspec: read it from the rockspec instead:"
  printf '%s\n' "$HITS" | sed 's/^/    /' | cut -c1-200
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
