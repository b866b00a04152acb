# Sourced by spec/run.sh and spec/check.sh: the suite's running totals
# (PASSED, FAILED), how a stage's log adds to them, and the stage both run.
add() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# Adds the counts of every "N passed, N failed" line in a log.
count_plain() {
  p=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$3} END {print s+0}')
  add "$p" "$f"
  [ "$p" -gt 0 ] || add 0 1        # a stage that ran nothing has failed
}

# Adds the counts of a TAP log (busted -o TAP).
count_tap() {
  p=$(grep -cE '^ok ' "$1")
  f=$(grep -cE '^not ok ' "$1")
  add "$p" "$f"
  [ "$p" -gt 0 ] || add 0 1
}

# The C unit tests: build them into build/c and run ctest.
run_ctest() {
  if cmake -S . -B build/c -DVOD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug >build/cmake.log 2>&1 &&
     cmake --build build/c -j2 >>build/cmake.log 2>&1; then
    (cd build/c && ctest -V) >build/ctest.log 2>&1
    grep -E 'passed, [0-9]+ failed|FAIL|tests passed|tests failed' build/ctest.log
    count_plain build/ctest.log
  else
    cat build/cmake.log; add 0 1
  fi
}
