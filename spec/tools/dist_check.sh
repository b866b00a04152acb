#!/bin/sh
# The release rock, checked as a packager would use it: `make dist`, then
# `luarocks install --deps-mode=none` of the .src.rock into two fresh trees
# (Lua 5.4; LuaJIT 2.1), from a temporary directory, not the checkout, with
# nothing fetched. For each: the module loads from that tree, vod.VERSION is
# the rockspec's version, `tcvod --version` prints it, the Lua files and the C
# module are installed. The rock itself: the rockspec and the source archive
# only, the archive holding exactly the files tracked in HEAD under
# source.dir, no build output.
# One line per check (ok - / not ok -), then "N passed, N failed"; logs in
# build/dist-check/. About 40 s on 2 cores: the two installs build in parallel,
# under strace (which doubles their time) to see that nothing tries the network.
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LOGS="$ROOT/build/dist-check"
rm -rf "$LOGS"; mkdir -p "$LOGS"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
notok() { echo "not ok - $1"; FAILED=$((FAILED + 1)); }
# check DESCRIPTION COMMAND...: the command's output goes to the log
check() {
  d=$1; shift
  if "$@" >>"$LOGS/checks.log" 2>&1; then ok "$d"; else notok "$d"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit
}

# the rockspec of HEAD: what make dist packs
SPEC=$(git ls-tree --name-only HEAD rockspec/ | grep '\.rockspec$' | head -1)
git show "HEAD:$SPEC" >"$TMP/head.rockspec"
set -- $(lua5.4 - "$TMP/head.rockspec" <<'LUA'
local t = {}
assert(loadfile(arg[1], "t", t))()
print(t.package, t.version, t.source.url, t.source.dir)
LUA
)
PACKAGE=$1 FULLVER=$2 URL=$3 SRCDIR=$4
VER=${FULLVER%-*}                       # 0.1.0-1 -> 0.1.0, what vod.VERSION says
ARCHIVE=${URL##*/}
ROCKNAME="$PACKAGE-$FULLVER.src.rock"
ROCK="$ROOT/build/dist/$ROCKNAME"

rm -f "$ROCK"
check "make dist writes build/dist/$ROCKNAME" sh -c "make -s dist >'$LOGS/dist.log' 2>&1 && test -s '$ROCK'"
[ -s "$ROCK" ] || { cat "$LOGS/dist.log"; finish; }

# --- the rock's contents
unzip -Z1 "$ROCK" >"$TMP/zip.list" 2>>"$LOGS/checks.log"
printf '%s\n%s\n' "$(basename "$SPEC")" "$ARCHIVE" | sort >"$TMP/zip.expected"
check "the rock holds the rockspec and $ARCHIVE, nothing else" \
  sh -c "sort '$TMP/zip.list' | cmp - '$TMP/zip.expected'"
mkdir -p "$TMP/unzipped"
(cd "$TMP/unzipped" && unzip -q "$ROCK") 2>>"$LOGS/checks.log"
check "the rock's rockspec is HEAD's $SPEC" cmp "$TMP/unzipped/$(basename "$SPEC")" "$TMP/head.rockspec"
tar tzf "$TMP/unzipped/$ARCHIVE" >"$TMP/tar.list" 2>>"$LOGS/checks.log"
check "every entry of $ARCHIVE is under $SRCDIR/ (source.dir)" \
  sh -c "test -s '$TMP/tar.list' && ! grep -v '^$SRCDIR/' '$TMP/tar.list'"
grep -v '/$' "$TMP/tar.list" | sed "s|^$SRCDIR/||" | sort >"$TMP/tar.files"
git ls-tree -r --name-only HEAD | sort >"$TMP/git.files"
check "$ARCHIVE holds exactly the files tracked in HEAD ($(wc -l <"$TMP/git.files") files)" \
  cmp "$TMP/tar.files" "$TMP/git.files"
check "no build output in the rock (build/, build.luarocks/, *.so, *.o, node_modules)" \
  sh -c "! cat '$TMP/zip.list' '$TMP/tar.list' | grep -E '(^|/)(build|build\\.luarocks|node_modules)(/|\$)|\\.(so|o)\$'"

# --- installs, from a temporary directory holding only the rock, both at once
WORK="$TMP/work"
mkdir -p "$WORK"
cp "$ROCK" "$WORK/"
: >"$TMP/config-5.4.lua"
printf 'lua_interpreter = "luajit"\n' >"$TMP/config-jit.lua"
TRACE=""
if command -v strace >/dev/null 2>&1; then TRACE=strace; fi
install_rock() { # tag, lua version, extra luarocks args...
  tag=$1 lv=$2; shift 2
  if [ -n "$TRACE" ]; then
    set -- strace -f -qq --seccomp-bpf -e trace=connect -e signal=none -o "$LOGS/connect-$tag.log" "$@"
  fi
  # no LUA_PATH/LUA_CPATH from the caller's environment
  (cd "$WORK" && env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 \
     LUAROCKS_CONFIG="$TMP/config-$tag.lua" "$@" \
     luarocks --lua-version "$lv" --tree "$TMP/tree-$tag" install --deps-mode=none "./$ROCKNAME" \
     $EXTRA) >"$LOGS/install-$tag.log" 2>&1
}
EXTRA="" install_rock 5.4 5.4 & P54=$!
EXTRA="LUA_INCDIR=/usr/include/luajit-2.1" install_rock jit 5.1 & PJIT=$!

for tag in 5.4 jit; do
  if [ $tag = 5.4 ]; then lv=5.4 lua=lua5.4 name="Lua 5.4" pid=$P54
  else lv=5.1 lua=luajit name="LuaJIT" pid=$PJIT; fi
  T="$TMP/tree-$tag"
  if wait "$pid"; then
    ok "$name: luarocks install --deps-mode=none $ROCKNAME into a fresh tree, from another directory"
  else
    notok "$name: luarocks install --deps-mode=none $ROCKNAME (see build/dist-check/install-$tag.log)"
    tail -20 "$LOGS/install-$tag.log"
    continue
  fi
  if [ -n "$TRACE" ]; then
    check "$name: the install tried no network connection (strace: no AF_INET/AF_INET6 connect)" \
      sh -c "! grep -E 'connect\\(.*AF_INET' '$LOGS/connect-$tag.log'"
  else
    echo "skip - $name: no network connection (strace is not installed)"
  fi
  check "$name: the tree's manifest lists $PACKAGE $FULLVER" \
    sh -c "env LUAROCKS_CONFIG='$TMP/config-$tag.lua' luarocks --lua-version $lv --tree '$T' list --porcelain \
           | grep -q '^$PACKAGE	$FULLVER	installed'"
  check "$name: the C module is installed (lib/lua/$lv/tencentcloud/vod.so)" test -f "$T/lib/lua/$lv/tencentcloud/vod.so"
  missing=""
  for f in $(git ls-tree --name-only HEAD src/lua/ | grep '\.lua$'); do
    [ -f "$T/share/lua/$lv/tencentcloud/vod/$(basename "$f")" ] || missing="$missing $(basename "$f")"
  done
  check "$name: every src/lua/*.lua is installed (share/lua/$lv/tencentcloud/vod/)${missing:+, missing:$missing}" \
    test -z "$missing"
  check "$name: bin/tcvod is installed" test -x "$T/bin/tcvod"

  # the module, with the tree's paths from `luarocks path`, run from elsewhere
  out=$(cd "$WORK" && env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 sh -c "
      eval \"\$(luarocks --lua-version $lv --tree '$T' path)\" &&
      $lua -e '
        local vod = require \"tencentcloud.vod\"
        require \"tencentcloud.vod.safe\"; require \"tencentcloud.vod.cli\"
        local so = package.searchpath(\"tencentcloud.vod\", package.cpath)
        io.write(vod.VERSION, \" \", so, \" \", package.searchpath(\"tencentcloud.vod.safe\", package.path))'" \
    2>>"$LOGS/checks.log")
  set -- $out
  check "$name: require \"tencentcloud.vod\" (and .safe, .cli) loads, from the tree" \
    sh -c "case '${2:-}' in '$T'/lib/*) ;; *) exit 1;; esac; case '${3:-}' in '$T'/share/*) ;; *) exit 1;; esac"
  check "$name: vod.VERSION is the rockspec's version ($VER; got ${1:-nothing})" test "${1:-}" = "$VER"

  v=$(cd "$WORK" && env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 "$T/bin/tcvod" --version 2>>"$LOGS/checks.log")
  echo "$name: tcvod --version: $v" >>"$LOGS/checks.log"
  case $tag in 5.4) want="Lua 5.4" ;; jit) want="LuaJIT" ;; esac
  check "$name: the tree's bin/tcvod --version prints $PACKAGE $VER and runs on $want ($v)" \
    sh -c "echo '$v' | grep -q '$PACKAGE $VER' && echo '$v' | grep -q '$want'"
done

finish
