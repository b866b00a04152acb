"""Self-test: every request validated against the models, at every depth.

Reads the two editions' models itself (model/vod-2018-07-17.model.json, the
Chinese site's 231 actions; model/vod-2018-07-17.intl.model.json, the
international site's 223) and builds from each, for each of its actions, a
minimal request (the required members only, at every depth), so the server's
validator, which takes their union, is checked against an independent
reading of each: a request valid in either edition must pass.
"""
import json
import os
import tempfile

from selftest_client import code
from selftest_results import R, expect_code

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model")
MODELS = [("china", os.path.join(MODEL_DIR, "vod-2018-07-17.model.json"), 231),
          ("intl", os.path.join(MODEL_DIR, "vod-2018-07-17.intl.model.json"), 223)]
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


def load_model(path=MODELS[0][1]):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def minimal(objects, struct):
    return {m["name"]: _sample(objects, m) for m in objects[struct]["members"]
            if m.get("required")}


def _sample(objects, m):
    kind = m["member"]
    value = SAMPLES[kind] if kind in SAMPLES else minimal(objects, kind)
    return [value] if m["type"] == "list" else value


def test_all_actions_minimal(c):
    c.reset(rate_limit=0, pull_wait=0)
    conn = c.connect()
    first = {}              # action -> the minimal request of the first edition that has it
    for edition, path, count in MODELS:
        model = load_model(path)
        actions, objects = model["actions"], model["objects"]
        R.eq("%s model has %d actions" % (edition, count), len(actions), count)
        verdicts = {}
        for name, a in sorted(actions.items()):
            params = minimal(objects, a["input"])
            first.setdefault(name, params)
            verdicts[name] = c.ctl("POST", "validate", {"Action": name, "Params": params})[1]
        bad = {n: v for n, v in verdicts.items() if v != {"ok": True}}
        R.eq("validator accepts the %s edition's %d minimal requests" % (edition, count), bad, {})
    R.eq("the union has 237 actions", len(first), 237)
    answers = {name: code(c.call(name, params, conn=conn)[2]) for name, params in sorted(first.items())}
    conn.close()
    want = {n: IMPLEMENTED.get(n, "UnsupportedOperation") for n in first}
    wrong = {n: (answers[n], want[n]) for n in first if answers[n] != want[n]}
    R.eq("API answers minimal requests: success or UnsupportedOperation", wrong, {})
    R.eq("actions with required members exercised",
         sum(1 for p in first.values() if p), 182)   # 177 of the Chinese edition, 5 CDN ones
    listed = c.ctl("GET", "actions")[1]
    R.eq("/_control/actions lists the implemented ones", listed["implemented"],
         sorted(IMPLEMENTED))
    for name, example in sorted(listed["examples"].items()):
        params = dict(first[name], **example)
        R.eq("example request of %s succeeds" % name, code(c.call(name, params)[2]), None)


def test_editions(c):
    """What only one edition has passes: an action, a member of a shared structure."""
    c.reset(rate_limit=0)
    expect_code("a Chinese-only action (ProcessImage)",
                c.call("ProcessImage", {"FileId": "f", "Operation": "x"}), "UnsupportedOperation")
    expect_code("an international-only action (DescribeCDNDomains)",
                c.call("DescribeCDNDomains", {}), "UnsupportedOperation")
    expect_code("a Chinese-only member of a shared structure (SearchMedia.KnowledgeBases)",
                c.call("SearchMedia", {"KnowledgeBases": ["kb"]}), "UnsupportedOperation")
    intl = load_model(MODELS[1][1])["objects"]
    cdn = minimal(intl, "CreateCDNDomainRequest")
    rule = {"RuleType": "all", "RulePaths": ["*"], "RefererType": "whitelist", "Referers": ["a"],
            "AllowEmpty": True}
    cdn["Config"]["Referer"] = {"Switch": "on", "RefererRules": [rule]}
    expect_code("an international-only structure at depth (RefererRule.AllowEmpty true)",
                c.call("CreateCDNDomain", cdn), "UnsupportedOperation")
    rule["AllowEmpty"] = "yes"
    _expect(c, "an international-only structure at depth (RefererRule.AllowEmpty a string)",
            "CreateCDNDomain", cdn, "InvalidParameter", "Config.Referer.RefererRules[0].AllowEmpty")
    expect_code("a member neither edition has", c.call("SearchMedia", {"KnowledgeBase": ["kb"]}),
                "UnknownParameter")


def test_union_rules(c):
    """The union of two models, on small ones written here (no server)."""
    import model as fake_model
    a = {"service": "vod", "version": "2018-07-17",
         "actions": {"Act": {"input": "ActRequest", "output": "ActResponse"},
                     "OnlyA": {"input": "OnlyARequest", "output": "OnlyAResponse"}},
         "objects": {
             "ActRequest": {"members": [
                 {"name": "Both", "type": "string", "member": "string", "required": True},
                 {"name": "ReqA", "type": "int", "member": "int64", "required": True},
                 {"name": "OnlyInA", "type": "string", "member": "string", "required": True}]},
             "OnlyARequest": {"members": [
                 {"name": "X", "type": "bool", "member": "bool", "required": True}]}}}
    b = {"service": "vod", "version": "2018-07-17",
         "actions": {"Act": {"input": "ActRequest", "output": "ActResponse"}},
         "objects": {
             "ActRequest": {"members": [
                 {"name": "Both", "type": "string", "member": "string", "required": True},
                 {"name": "ReqA", "type": "int", "member": "int64", "required": False},
                 {"name": "OnlyInB", "type": "float", "member": "float", "required": True}]}}}
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, m in (("a", a), ("b", b)):
            paths.append(os.path.join(d, name + ".json"))
            with open(paths[-1], "w", encoding="utf-8") as f:
                json.dump(m, f)
        u = fake_model.Model(paths)
        R.eq("union: actions of both", sorted(u.actions), ["Act", "OnlyA"])
        R.eq("union: members of both, the first model's order first",
             list(u.structs["ActRequest"]), ["Both", "ReqA", "OnlyInA", "OnlyInB"])
        R.eq("union: required only where every model requires it",
             {n: m["required"] for n, m in u.structs["ActRequest"].items()},
             {"Both": True, "ReqA": False, "OnlyInA": False, "OnlyInB": False})
        R.eq("union: a structure of one model keeps its required members",
             u.structs["OnlyARequest"]["X"]["required"], True)

        def verdict(params):
            try:
                u.validate("Act", params)
                return None
            except fake_model.ApiError as e:
                return e.code
        R.eq("union: a request valid in model a passes", verdict({"Both": "x", "ReqA": 1, "OnlyInA": "y"}), None)
        R.eq("union: a request valid in model b passes", verdict({"Both": "x", "OnlyInB": 1.5}), None)
        R.eq("union: a member required in both is required", verdict({"ReqA": 1}), "MissingParameter")
        R.eq("union: types still checked", verdict({"Both": "x", "OnlyInB": "1.5"}), "InvalidParameter")
        b["objects"]["ActRequest"]["members"][1]["member"] = "uint64"
        with open(paths[1], "w", encoding="utf-8") as f:
            json.dump(b, f)
        try:
            fake_model.Model(paths)
            conflict = None
        except fake_model.ModelConflict as e:
            conflict = str(e)
        R.check("union: a member whose type differs stops the load",
                conflict is not None and "ActRequest.ReqA" in conflict, conflict)


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


TESTS = [test_validation, test_all_actions_minimal, test_editions, test_union_rules]
