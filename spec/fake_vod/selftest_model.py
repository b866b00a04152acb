"""Self-test: every request validated against the model, at every depth.

Reads model/vod-2018-07-17.model.json itself and builds from it, for each of
the 231 actions, a minimal request (the required members only, at every
depth), so the server's validator is checked against an independent reading.
"""
import json
import os

from selftest_client import code
from selftest_results import R, expect_code

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model",
                     "vod-2018-07-17.model.json")
SAMPLES = {"string": "x", "int64": 1, "uint64": 1, "float": 1.5, "bool": True}
# What the implemented actions answer to their minimal request: a success
# (None) or the semantic check that follows the model's validation.
IMPLEMENTED = {"CreateAigcSubject": "InvalidParameter",   # no image nor video
               "DescribeTaskDetail": "InvalidParameterValue.TaskId",
               "CreateAigcVideoTask": None, "PullEvents": None,
               "ConfirmEvents": "InvalidParameterValue",
               "ApplyUpload": "InvalidParameterValue.MediaType",          # "x"
               "CommitUpload": "InvalidParameterValue.VodSessionKey",    # unknown
               "ParseStreamingManifest": "InvalidParameterValue.MediaManifestContent"}


def load_model():
    with open(MODEL, encoding="utf-8") as f:
        return json.load(f)


def minimal(objects, struct):
    return {m["name"]: _sample(objects, m) for m in objects[struct]["members"]
            if m.get("required")}


def _sample(objects, m):
    kind = m["member"]
    value = SAMPLES[kind] if kind in SAMPLES else minimal(objects, kind)
    return [value] if m["type"] == "list" else value


def test_all_actions_minimal(c):
    model = load_model()
    actions, objects = model["actions"], model["objects"]
    R.eq("model has 231 actions", len(actions), 231)
    c.reset(rate_limit=0, pull_wait=0)
    conn = c.connect()
    verdicts, answers = {}, {}
    for name, a in sorted(actions.items()):
        params = minimal(objects, a["input"])
        verdicts[name] = c.ctl("POST", "validate", {"Action": name, "Params": params})[1]
        answers[name] = code(c.call(name, params, conn=conn)[2])
    conn.close()
    bad = {n: v for n, v in verdicts.items() if v != {"ok": True}}
    R.eq("validator accepts all 231 minimal requests", bad, {})
    want = {n: IMPLEMENTED.get(n, "UnsupportedOperation") for n in actions}
    wrong = {n: (answers[n], want[n]) for n in actions if answers[n] != want[n]}
    R.eq("API answers minimal requests: success or UnsupportedOperation", wrong, {})
    R.eq("actions with required members exercised",
         sum(1 for a in actions.values() if minimal(objects, a["input"])), 177)
    listed = c.ctl("GET", "actions")[1]
    R.eq("/_control/actions lists the implemented ones", listed["implemented"],
         sorted(IMPLEMENTED))
    for name, example in sorted(listed["examples"].items()):
        params = dict(minimal(objects, actions[name]["input"]), **example)
        R.eq("example request of %s succeeds" % name, code(c.call(name, params)[2]), None)


def _expect(c, name, action, params, want, path):
    obj = expect_code(name, c.call(action, params), want)
    if obj:
        msg = obj["Response"]["Error"]["Message"]
        R.check(name + ": message names " + path, "`%s`" % path in msg, msg)


def test_validation(c):
    model = load_model()
    objects = model["objects"]
    c.reset(rate_limit=0)
    video = {"SubAppId": 1, "ModelName": "Kling", "ModelVersion": "2.1"}
    cases = [
        ("unknown at depth 2", "CreateAigcVideoTask",
         dict(video, SubjectInfos=[{"Id": "a"}, {"Nmae": "x"}]),
         "UnknownParameter", "SubjectInfos[1].Nmae"),
        ("unknown in an object", "CreateAigcVideoTask",
         dict(video, OutputConfig={"Duraton": 5}), "UnknownParameter", "OutputConfig.Duraton"),
        ("missing at top", "CreateAigcVideoTask", {"SubAppId": 1, "ModelName": "Vidu"},
         "MissingParameter", "ModelVersion"),
        ("wrong type at depth 3", "CreateAigcVideoTask",
         dict(video, SubjectInfos=[{"ImageUrls": ["u", 3]}]),
         "InvalidParameter", "SubjectInfos[0].ImageUrls[1]"),
        ("float given a string", "CreateAigcVideoTask",
         dict(video, OutputConfig={"Duration": "5"}), "InvalidParameter",
         "OutputConfig.Duration"),
        ("int given 3.0", "CreateAigcVideoTask", dict(video, Seed=3.0),
         "InvalidParameter", "Seed"),
        ("int given true", "CreateAigcVideoTask", dict(video, Seed=True),
         "InvalidParameter", "Seed"),
        ("int64 overflow", "CreateAigcVideoTask", dict(video, Seed=2 ** 63),
         "InvalidParameter", "Seed"),
        ("uint64 negative", "CreateAigcVideoTask", dict(video, SubAppId=-1),
         "InvalidParameter", "SubAppId"),
        ("uint64 overflow", "PullEvents", {"SubAppId": 2 ** 64}, "InvalidParameter",
         "SubAppId"),
        ("null", "CreateAigcVideoTask", dict(video, Prompt=None), "InvalidParameter",
         "Prompt"),
        ("null object", "CreateAigcVideoTask", dict(video, OutputConfig=None),
         "InvalidParameter", "OutputConfig"),
        ("list given a string", "ConfirmEvents", {"EventHandles": "h"},
         "InvalidParameter", "EventHandles"),
        ("object given a list", "CreateAigcVideoTask", dict(video, SubjectInfos=[[]]),
         "InvalidParameter", "SubjectInfos[0]"),
        ("string given a bool", "CreateAigcVideoTask", dict(video, Prompt=True),
         "InvalidParameter", "Prompt"),
    ]
    for name, action, params, want, path in cases:
        _expect(c, "validation: " + name, action, params, want, path)
    # missing required members deep down, from the model
    compose = minimal(objects, "ComposeMediaRequest")
    item = compose["Tracks"][0]["TrackItems"][0]
    item["EmptyItem"] = {}
    _expect(c, "validation: missing at depth 4", "ComposeMedia", compose,
            "MissingParameter", "Tracks[0].TrackItems[0].EmptyItem.Duration")
    tags = {"Tags": [{"TagKey": "k", "TagValue": "v"}, {"TagKey": "k"}]}
    _expect(c, "validation: missing in a list item", "DescribeSubAppIds", tags,
            "MissingParameter", "Tags[1].TagValue")
    # -1e400 parses as -infinity: not a number the API takes
    body = (b'{"SubAppId": 1, "ModelName": "m", "ModelVersion": "v", '
            b'"OutputConfig": {"Duration": -1e400}}')
    expect_code("validation: infinite float", c.call("CreateAigcVideoTask", body=body),
                "InvalidParameter")
    # accepted: an int for a float, a disabled member, bools
    ok = c.call("CreateAigcVideoTask", dict(video, OutputConfig={"Duration": 5},
                                            Seed=-2 ** 63))
    R.eq("validation: int for a float, int64 minimum", code(ok[2]), None)
    expect_code("validation: a disabled member is accepted",
                c.call("DescribeRoundPlays", {"Offset": 0, "Limit": 10}),
                "UnsupportedOperation")
    obj = expect_code("UnsupportedOperation for a well-formed request",
                      c.call("DescribeMediaInfos", {"FileIds": ["5285890"]}),
                      "UnsupportedOperation")
    if obj:
        R.check("UnsupportedOperation message", "does not implement DescribeMediaInfos"
                in obj["Response"]["Error"]["Message"], obj)
    expect_code("a bad request to an unimplemented action is refused as such",
                c.call("DescribeMediaInfos", {}), "MissingParameter")
    expect_code("InvalidAction for a name not in the model",
                c.call("DescribeEverything", {}), "InvalidAction")
    # the two historic actions keep their own answers
    expect_code("DescribeTaskDetail SubAppId -1 keeps its code",
                c.call("DescribeTaskDetail", {"TaskId": "t", "SubAppId": -1}),
                "InvalidParameterValue.SubAppId")
    expect_code("CreateAigcSubject SubAppId 1.5 keeps its code",
                c.create(params={"SubAppId": 1.5, "SubjectImages": ["u"]}),
                "InvalidParameterValue.SubAppId")
    st, v = c.ctl("POST", "validate", {"Action": "ComposeMedia", "Params": compose})
    R.eq("control validate answers the verdict", (st, v.get("ok"), v.get("Code")),
         (200, False, "MissingParameter"))
    R.eq("control validate refuses an unknown action",
         c.ctl("POST", "validate", {"Action": "Nope", "Params": {}})[0], 400)


TESTS = [test_validation, test_all_actions_minimal]
