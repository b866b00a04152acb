# The commands of README.md and docs/development.md; those that need packages
# install what a fresh Debian 12 lacks.
.PHONY: demo demo-cli check test fuzz bench dist clean
demo:
	sh examples/run-demo.sh
demo-cli:
	sh examples/cli.sh
# the fast tier: C unit tests + busted on Lua 5.4 against the fake endpoint (< 3 min)
check:
	sh spec/check.sh
# the whole suite (< 15 min on 2 cores; libFuzzer 10 s a harness)
test:
	sh spec/run.sh
# long fuzzing runs: FUZZ_SECONDS a harness (default 600)
fuzz:
	sh spec/tools/fuzz.sh $${FUZZ_SECONDS:-600}
bench:
	sh bench/run.sh
# the source rock of the rockspec's version, from the tracked files of HEAD:
# build/dist/tencentcloud-vod-<version>.src.rock
dist:
	sh spec/tools/dist.sh build/dist
clean:
	rm -rf build build.luarocks
