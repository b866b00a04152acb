#!/bin/sh
# Fuzzes every C entry point that takes outside input, with libFuzzer under
# ASan + UBSan:   sh spec/tools/fuzz.sh [SECONDS]   (per harness, default 60)
#
# Builds spec/fuzz/fuzz_*.c into build/fuzz/, copies each committed seed corpus
# (spec/fuzz/corpus/<name>, never written to) into build/fuzz/corpus/<name>,
# where the run adds what it finds, and runs each harness for SECONDS. Crash
# inputs go to build/fuzz/artifacts/<name>/, the full logs to
# build/fuzz/<name>.log. Prints "fuzz <name>: ok (N runs)" or
# "fuzz <name>: FAILED" per harness (details of a failure on stderr), then
# "N passed, N failed". Exits non-zero when a harness failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
TIME=${1:-60}
case $TIME in ''|*[!0-9]*) echo "usage: sh spec/tools/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
OUT=build/fuzz
HARNESSES="fuzz_json_decode fuzz_utf8 fuzz_sign fuzz_check_params fuzz_check_model fuzz_proxy fuzz_profile
  fuzz_h1_reader fuzz_event_sign fuzz_cos_sign fuzz_cos_xml"
CORE="core/util/buf core/util/utf8 core/util/suggest core/config/rules core/sign/tc3_sign
  binding/json/json_encode binding/json/json_decode binding/check/check binding/check/check_model
  model/vod_model model/vod_model_data core/config/proxy core/config/profile core/http/h1_reader
  core/sign/event_sign core/sign/cos_sign core/cos/cos_xml"
# every folder of the core and the binding: headers are included by file name
INCS=$(for d in src/core/*/ src/binding/*/ src/binding src/model; do printf -- '-I%s ' "${d%/}"; done)
CC=${CC:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -Wall -Wextra $INCS -I/usr/include/lua5.4"
LIBS="-lmbedcrypto -lexpat -llua5.4 -lm"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_install() {
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
  }
}

# clang's libFuzzer and sanitizer runtimes (libclang-rt-14-dev), only when missing
command -v "$CC" >/dev/null 2>&1 || { echo "installing clang"; apt_install clang; }
if [ ! -f "$("$CC" -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
  echo "installing libclang-rt-14-dev"
  apt_install libclang-rt-14-dev || { echo "cannot install libclang-rt-14-dev"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -f /usr/include/lua5.4/lua.h ] || [ ! -f /usr/include/mbedtls/md.h ] ||
   [ ! -f /usr/include/expat.h ]; then
  sh spec/tools/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
fi

mkdir -p "$OUT/obj"

# Dictionaries: tokens a mutator would take long to guess.
cat >"$OUT/json.dict" <<'EOF'
"{"
"}"
"["
"]"
":"
","
"\""
"\\\""
"\\\\"
"\\/"
"\\b"
"\\n"
"\\u0000"
"\\u00e9"
"\\ud83d\\ude00"
"\\ud800"
"\\udc00"
"true"
"false"
"null"
"-0"
"1e308"
"1e400"
"-1.5E-7"
"9007199254740993"
"9223372036854775808"
"\"Response\":"
"\"Error\":{\"Code\":"
"\"RequestId\":"
"\xc3\xa9"
"\xf0\x9f\x98\x80"
"\xed\xa0\x80"
EOF
cat >"$OUT/sign.dict" <<'EOF'
"\x00"
"POST"
"vod"
"\x0d\x0a"
"\x09"
" "
"\x7f"
"/"
","
"application/json"
"vod.intl.tencentcloudapi.com"
"CreateAigcSubject"
EOF

cat >"$OUT/h1_reader.dict" <<'EOF'
"HTTP/1.1 "
"HTTP/1.0 "
"200 OK"
"100 Continue"
"\x0d\x0a"
"\x0d\x0a\x0d\x0a"
"Content-Length: "
"Transfer-Encoding: chunked"
"Connection: close"
"Connection: keep-alive"
"Date: "
"0\x0d\x0a\x0d\x0a"
";ext"
"ffffffff"
EOF

cat >"$OUT/cos_sign.dict" <<'EOF'
"\x00"
"\x01"
"\x03"
"PUT"
"host"
"Host"
"x-cos-security-token"
"Content-MD5"
"uploadId"
"partNumber"
"uploads"
"/"
"&"
"%"
" "
"\x09"
"\x0d\x0a"
"\x7f"
"\xe8\x85\xbe"
EOF

cat >"$OUT/cos_xml.dict" <<'EOF'
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
"<!DOCTYPE"
"<!ENTITY"
"<![CDATA["
"]]>"
"<!--"
"-->"
"&quot;"
"&amp;"
"&lt;"
"&#x41;"
"<InitiateMultipartUploadResult>"
"<CompleteMultipartUploadResult>"
"<ListPartsResult>"
"</ListPartsResult>"
"<Error>"
"</Error>"
"<Part>"
"</Part>"
"<PartNumber>"
"</PartNumber>"
"<ETag>"
"</ETag>"
"<Size>"
"</Size>"
"<LastModified>"
"<IsTruncated>true</IsTruncated>"
"<NextPartNumberMarker>"
"<MaxParts>"
"<UploadId>"
"</UploadId>"
"<Bucket>"
"<Key>"
"<Code>"
"<Message>"
"<RequestId>"
"<TraceId>"
"<Owner><ID>"
"xmlns=\"http://www.qcloud.com/document/product/436/7751\""
"18446744073709551615"
"10000"
EOF

echo "== building the harnesses into $OUT"
build_ok=1
for f in $CORE; do
  # shellcheck disable=SC2086
  $CC $CFLAGS -c "src/$f.c" -o "$OUT/obj/${f##*/}.o" 2>>"$OUT/build.log" || build_ok=0
done
rm -f "$OUT/libvod_fuzz.a"
[ $build_ok = 1 ] && ar rcs "$OUT/libvod_fuzz.a" "$OUT"/obj/*.o

PASSED=0
FAILED=0
for name in $HARNESSES; do
  case $name in
    fuzz_json_decode)  opts="-max_len=4096 -dict=$OUT/json.dict" ;;
    fuzz_utf8)         opts="-max_len=1024" ;;
    fuzz_sign)         opts="-max_len=2048 -dict=$OUT/sign.dict" ;;
    fuzz_check_params) opts="-max_len=2048" ;;
    fuzz_check_model)  opts="-max_len=2048" ;;
    fuzz_proxy)        opts="-max_len=1200" ;;
    fuzz_profile)      opts="-max_len=2048" ;;
    fuzz_h1_reader)        opts="-max_len=2048 -dict=$OUT/h1_reader.dict" ;;
    fuzz_event_sign)   opts="-max_len=256" ;;
    fuzz_cos_sign)     opts="-max_len=2048 -dict=$OUT/cos_sign.dict" ;;
    fuzz_cos_xml)      opts="-max_len=4096 -dict=$OUT/cos_xml.dict" ;;
  esac
  log="$OUT/$name.log"
  art="$OUT/artifacts/$name"
  # shellcheck disable=SC2086
  if [ $build_ok = 0 ] || ! $CC $CFLAGS "spec/fuzz/$name.c" "$OUT/libvod_fuzz.a" $LIBS \
       -o "$OUT/$name" >"$log" 2>&1; then
    echo "fuzz $name: FAILED"
    { echo "  build failed:"; cat "$OUT/build.log" "$log"; } >&2
    FAILED=$((FAILED + 1))
    continue
  fi
  rm -rf "$art"
  mkdir -p "$OUT/corpus/$name" "$art"
  cp "spec/fuzz/corpus/$name"/* "$OUT/corpus/$name/"
  # shellcheck disable=SC2086
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$OUT/$name" -max_total_time="$TIME" -rss_limit_mb=2048 -timeout=10 $opts \
    -print_final_stats=1 -artifact_prefix="$art/" "$OUT/corpus/$name" >>"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ $rc -eq 0 ] && [ -n "$runs" ]; then
    echo "fuzz $name: ok ($runs runs)"
    PASSED=$((PASSED + 1))
  else
    echo "fuzz $name: FAILED"
    FAILED=$((FAILED + 1))
    {
      echo "  exit status $rc; log: $log"
      grep -E 'ERROR: |runtime error|^fuzz_|SUMMARY|^ *#[0-9]+ ' "$log" |
        grep -vE 'fuzzer::|libc_start|in _start|in main ' | head -n 40 | sed 's/^/  /'
      for a in "$art"/*; do
        [ -f "$a" ] || continue
        echo "  reproducer $a ($(wc -c <"$a") bytes), hex:"
        od -An -v -tx1 "$a" | tr -d ' \n' | head -c 2048 | fold -w 96 | sed 's/^/    /'
        echo
        echo "  replay: $OUT/$name $a"
      done
    } >&2
  fi
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
