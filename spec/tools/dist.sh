#!/bin/sh
# `make dist`: the source rock, build/dist/<package>-<version>.src.rock, made
# from the files tracked in HEAD (git archive), never from the working tree.
#
# A .src.rock is what `luarocks pack` writes: a zip holding the rockspec and
# the source archive, named as the basename of the rockspec's source.url, whose
# top directory is source.dir. `luarocks install`/`build` of the rock unpack
# that archive next to the rockspec and build in source.dir; nothing is fetched.
# `luarocks pack` itself would download source.url (the release tag's archive),
# so this script makes the archive with git archive and zips the two the way
# luarocks pack does (zip -r ROCK ROCKSPEC ARCHIVE).
# Name, version, url and dir are read from the rockspec in HEAD.
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-build/dist}

git rev-parse --verify -q HEAD >/dev/null || { echo "dist: not a git checkout with a commit" >&2; exit 1; }
set -- $(git ls-tree --name-only HEAD rockspec/ | grep '\.rockspec$')
[ $# -eq 1 ] || { echo "dist: expected one rockspec in rockspec/ at HEAD, found $#" >&2; exit 1; }
ROCKSPEC=$1

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
SPECFILE="$STAGE/$(basename "$ROCKSPEC")"
git show "HEAD:$ROCKSPEC" >"$SPECFILE"

# package, version, source.url, source.dir: the rockspec is Lua, read it as Lua
FIELDS=$(lua5.4 - "$SPECFILE" <<'LUA'
local t = {}
assert(loadfile(arg[1], "t", t))()
local s = t.source or {}
assert(type(t.package) == "string" and type(t.version) == "string", "no package/version")
assert(type(s.url) == "string" and type(s.dir) == "string", "the source block needs url and dir")
print(t.package, t.version, s.url, s.dir)
LUA
)
set -- $FIELDS
PACKAGE=$1 VERSION=$2 URL=$3 SRCDIR=$4
[ "$(basename "$ROCKSPEC")" = "$PACKAGE-$VERSION.rockspec" ] ||
  { echo "dist: $ROCKSPEC is not named $PACKAGE-$VERSION.rockspec" >&2; exit 1; }
ARCHIVE=${URL##*/}
ROCK="$PACKAGE-$VERSION.src.rock"

# the same timestamp everywhere (the commit's), so the same HEAD gives the same bytes
STAMP=$(git log -1 --format=%ct HEAD)
case "$ARCHIVE" in
  *.tar.gz|*.tgz)
    git archive --format=tar --prefix="$SRCDIR/" HEAD | gzip -9n >"$STAGE/$ARCHIVE" ;;
  *.zip)
    git archive --format=zip --prefix="$SRCDIR/" -o "$STAGE/$ARCHIVE" HEAD ;;
  *) echo "dist: cannot make a source archive named $ARCHIVE" >&2; exit 1 ;;
esac
touch -d "@$STAMP" "$SPECFILE" "$STAGE/$ARCHIVE"

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "dist: note: uncommitted changes are not in the rock (it is made from HEAD)" >&2
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT/$ROCK"
(cd "$STAGE" && TZ=UTC zip -q -X "$OUT/$ROCK" "$(basename "$SPECFILE")" "$ARCHIVE")
echo "$OUT/$ROCK ($(git rev-parse --short HEAD): $ARCHIVE with top directory $SRCDIR)"
