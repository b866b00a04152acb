# The two commands of the README. Both install what a fresh Debian 12 lacks.
.PHONY: demo demo-cli test bench clean
demo:
	sh examples/run-demo.sh
demo-cli:
	sh examples/cli.sh
test:
	sh spec/run.sh
bench:
	sh bench/run.sh
clean:
	rm -rf build build.luarocks
