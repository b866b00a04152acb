#!/bin/sh
# The release rock, checked as a packager would use it: `make dist`, then
# `luarocks install --deps-mode=none` of the .src.rock into five fresh trees
# (Lua 5.4, 5.3, 5.2, 5.1 with Debian's default config, whose scripts run on
# lua5.1; LuaJIT 2.1 with lua_interpreter = "luajit"), from a temporary
# directory, not the checkout, with nothing fetched. For each: the module
# loads from that tree, vod.VERSION is the rockspec's version, `tcvod
# --version` prints it and names its interpreter, the Lua files and the C
# module are installed. The rock itself: the rockspec and the source archive
# only, the archive holding exactly the files tracked in HEAD under
# source.dir, no build output.
# The installs run under strace: nothing tries the network, and every file
# they open or run belongs to the documented install list (spec/tools/deps.sh
# list rock, and rock-5.4, ...) or to what it depends on, or to the base
# system (spec/tools/packages_used.py): nothing else was needed.
# One line per check (ok - / not ok -), then "N passed, N failed"; logs in
# build/dist-check/. About 2 minutes on 2 cores: the installs build two at a
# time, under strace (which slows them down).
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
VER=${FULLVER%-*}                       # X.Y.Z-R -> X.Y.Z, what vod.VERSION says
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
TAGS="5.4 5.3 5.2 5.1 jit"
for tag in $TAGS; do : >"$TMP/config-$tag.lua"; done
printf 'lua_interpreter = "luajit"\n' >"$TMP/config-jit.lua"
# no LUA_PATH/LUA_CPATH (any version's) from the caller's environment
NOENV="-u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_2 -u LUA_CPATH_5_2 -u LUA_PATH_5_3 -u LUA_CPATH_5_3
  -u LUA_PATH_5_4 -u LUA_CPATH_5_4"
TRACE=""
if command -v strace >/dev/null 2>&1; then TRACE=strace; fi
# tag -> luarocks' Lua version, interpreter, name, what tcvod --version says
lv_of() { case $1 in jit) echo 5.1 ;; *) echo "$1" ;; esac; }
lua_of() { case $1 in jit) echo luajit ;; *) echo "lua$1" ;; esac; }
name_of() { case $1 in jit) echo "LuaJIT" ;; *) echo "Lua $1" ;; esac; }
install_rock() { # tag
  tag=$1 extra=""
  [ "$tag" = jit ] && extra="LUA_INCDIR=/usr/include/luajit-2.1"
  set --
  if [ -n "$TRACE" ]; then
    # one file a process (-ff): a syscall's line is never split by another's
    mkdir -p "$TMP/strace-$tag"
    set -- strace -ff -qq --seccomp-bpf -e trace=connect,openat,execve -e signal=none \
      -o "$TMP/strace-$tag/t"
  fi
  # shellcheck disable=SC2086
  (cd "$WORK" && env $NOENV LUAROCKS_CONFIG="$TMP/config-$tag.lua" "$@" \
     luarocks --lua-version "$(lv_of "$tag")" --tree "$TMP/tree-$tag" install --deps-mode=none "./$ROCKNAME" \
     $extra) >"$LOGS/install-$tag.log" 2>&1
}

# the module and its paths, as the tree's interpreter sees them
cat >"$TMP/probe.lua" <<'LUA'
local searchpath = package.searchpath or function(name, path)   -- plain Lua 5.1 lacks it
  local file = name:gsub("%.", "/")
  for template in path:gmatch("[^;]+") do
    local candidate = template:gsub("%?", file)
    local f = io.open(candidate, "rb")
    if f then f:close(); return candidate end
  end
end
local vod = require "tencentcloud.vod"
require "tencentcloud.vod.safe"; require "tencentcloud.vod.cli"
io.write(vod.VERSION, " ", tostring(searchpath("tencentcloud.vod", package.cpath)), " ",
  tostring(searchpath("tencentcloud.vod.safe", package.path)))
LUA

# two lanes of installs side by side (each builds the whole module on one
# core); each install's status in $TMP/rc-TAG
lane() { for tag in "$@"; do install_rock "$tag"; echo $? >"$TMP/rc-$tag"; done; }
lane 5.4 5.2 jit & LANE1=$!
lane 5.3 5.1 & LANE2=$!
wait "$LANE1" "$LANE2"

for tag in $TAGS; do
  lv=$(lv_of "$tag") lua=$(lua_of "$tag") name=$(name_of "$tag")
  T="$TMP/tree-$tag"
  if [ "$(cat "$TMP/rc-$tag" 2>/dev/null)" = 0 ]; then
    ok "$name: luarocks install --deps-mode=none $ROCKNAME into a fresh tree, from another directory"
  else
    notok "$name: luarocks install --deps-mode=none $ROCKNAME (see build/dist-check/install-$tag.log)"
    tail -20 "$LOGS/install-$tag.log"
    continue
  fi
  if [ -n "$TRACE" ]; then
    cat "$TMP/strace-$tag"/t.* >"$LOGS/strace-$tag.log"
    check "$name: the install tried no network connection (strace: no AF_INET/AF_INET6 connect)" \
      sh -c "! grep -E 'connect\\(.*AF_INET' '$LOGS/strace-$tag.log'"
    # the files it opened or ran (successfully)
    sed -nE 's/^(openat\([^"]*|execve\()"([^"]+)".* = [0-9]+$/\2/p' "$LOGS/strace-$tag.log" |
      sort -u >"$LOGS/files-$tag.log"
    list=$( (sh spec/tools/deps.sh list rock; sh spec/tools/deps.sh list "rock-$tag") | tr '\n' ' ')
    check "$name: every file it used is of the install list ($list), its dependencies or the base system" \
      sh -c "python3 spec/tools/packages_used.py '$LOGS/files-$tag.log' $list \
             >'$LOGS/packages-$tag.log' 2>&1 || { cat '$LOGS/packages-$tag.log'; exit 1; }"
    rm -f "$LOGS/strace-$tag.log"        # large; files-$tag.log keeps what counts
  else
    notok "$name: the install's network use and packages (strace is not installed: sh spec/tools/deps.sh)"
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
  # shellcheck disable=SC2086
  out=$(cd "$WORK" && env $NOENV sh -c "
      eval \"\$(luarocks --lua-version $lv --tree '$T' path)\" && $lua '$TMP/probe.lua'" \
    2>>"$LOGS/checks.log")
  set -- $out
  check "$name: require \"tencentcloud.vod\" (and .safe, .cli) loads, from the tree" \
    sh -c "case '${2:-}' in '$T'/lib/*) ;; *) exit 1;; esac; case '${3:-}' in '$T'/share/*) ;; *) exit 1;; esac"
  check "$name: vod.VERSION is the rockspec's version ($VER; got ${1:-nothing})" test "${1:-}" = "$VER"

  # shellcheck disable=SC2086
  v=$(cd "$WORK" && env $NOENV "$T/bin/tcvod" --version 2>>"$LOGS/checks.log")
  echo "$name: tcvod --version: $v" >>"$LOGS/checks.log"
  case $tag in jit) want="LuaJIT 2\\.1" ;; *) want="Lua $tag," ;; esac
  check "$name: the tree's bin/tcvod --version prints $PACKAGE $VER and runs on $name ($v)" \
    sh -c "echo '$v' | grep -q '$PACKAGE $VER' && echo '$v' | grep -q '$want'"
done

finish
