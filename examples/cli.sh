#!/bin/sh
# The command line: tcvod against the local fake VOD endpoint (HTTPS with a
# test CA made on the spot). `make demo-cli` runs it; so does the suite
# (spec/cli_spec.lua, with TCVOD set to the tcvod under test).
#
#   sh examples/cli.sh             installs what is missing, builds the rock into
#                                  build/tree54, and uses its tcvod
#   TCVOD=/path/to/tcvod sh examples/cli.sh    uses that tcvod, builds nothing
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ -z "${TCVOD:-}" ]; then
  sh spec/tools/deps.sh demo
  sh spec/tools/build.sh 5.4
  TCVOD="$ROOT/build/tree54/bin/tcvod"
fi

DIR=${CLI_FAKE_DIR:-"$ROOT/build/cli-fake"}
. spec/tools/fake.sh
start_fake "$DIR"
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$DIR/ports.json")
COS_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cos_https"])' "$DIR/ports.json")
echo "fake VOD endpoint on https://127.0.0.1:$PORT, fake COS on https://127.0.0.1:$COS_PORT (test CA: $DIR/ca.pem)"

# Credentials come from the environment (or wherever the library finds them),
# never from the command line. These are the fake endpoint's, never real ones.
export TENCENTCLOUD_SECRET_ID=AKIDEXAMPLEFAKEVOD0000000000000000
export TENCENTCLOUD_SECRET_KEY=fakeVodSecretKeyEXAMPLE0000000000

# Against the real API, leave out --endpoint, --ca-file and --cos-endpoint (and
# use your SubAppId).
tcvod() {
  echo "\$ tcvod $*" >&2
  "$TCVOD" --endpoint "127.0.0.1:$PORT" --ca-file "$DIR/ca.pem" \
    --cos-endpoint "https://127.0.0.1:$COS_PORT" "$@"
}

"$TCVOD" --version

# 0. Upload a file into VOD (ApplyUpload, the bytes to COS, CommitUpload): its
#    MediaType and MediaName from the file's name; on a terminal, a progress
#    bar on stderr. With --plain one line; its MediaUrl is the subject's image.
LINE=$(tcvod upload examples/hero.png --sub-app-id 221073 --plain)
echo "$LINE"
IMAGE=$(echo "$LINE" | sed -n 's/.* MediaUrl=\([^ ]*\) .*/\1/p')
#    The same file with a cover and a name of its own: the Response as JSON.
tcvod upload examples/hero.png --cover examples/hero.png --media-name "hero, with a cover" \
  --sub-app-id 221073

# 1. Create a subject from the uploaded image: the Response as JSON (keys sorted).
tcvod create-aigc-subject --name hero --image "$IMAGE" \
  --sub-app-id 221073 --priority 10

# 2. The same with --plain, keeping the TaskId for the next commands.
LINE=$(tcvod create-aigc-subject --name hero --image https://example.com/hero.png \
  --image https://example.com/hero-side.png --sub-app-id 221073 --plain)
echo "$LINE"
TASK=$(echo "$LINE" | sed -n 's/^TaskId=\([^ ]*\) .*/\1/p')

# 3. Look the task up, then wait for it (a progress line per poll on stderr).
tcvod task "$TASK" --sub-app-id 221073 --plain
tcvod task "$TASK" --sub-app-id 221073 --wait --interval 0.5 --plain

# 4. Create and wait in one go: the finished task as JSON.
tcvod create-aigc-subject --name villain --image https://example.com/villain.png \
  --sub-app-id 221073 --session-id "cli-demo-$$-$(date +%s)" --wait --interval 0.5

# 5. Any action, with its parameters as JSON.
tcvod call DescribeTaskDetail "{\"TaskId\": \"$TASK\", \"SubAppId\": 221073}" --compact

# 6. Any action of the API by its name (or in kebab-case, create-aigc-video-task),
#    its parameters as --Name VALUE, checked by the model before anything is
#    sent; lists and structures as JSON. A video of the subject made in step 3
#    (`tcvod help CreateAigcVideoTask` lists the parameters).
SUBJECT=$(tcvod task "$TASK" --sub-app-id 221073 --plain | sed -n 's/.* SubjectId=\([^ ]*\) .*/\1/p')
tcvod CreateAigcVideoTask --SubAppId 221073 --ModelName Vidu --ModelVersion q2 \
  --Prompt '[@hero] waves' --SubjectInfos "[{\"Id\": \"$SUBJECT\", \"Name\": \"hero\"}]" \
  --wait --interval 0.5 --plain

# 7. An API error: exit status 1, the error on stderr (and as JSON on stdout).
status=0
tcvod task 221073-CreateAigcSubject-00000000000000000000000000000000 --sub-app-id 221073 || status=$?
echo "exit status $status (1: the API answered with an error)"
[ "$status" -eq 1 ]
echo "cli demo: ok"
