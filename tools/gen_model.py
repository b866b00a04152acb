#!/usr/bin/env python3
"""Generates the C tables of the API model and the method reference.

    python3 tools/gen_model.py              # writes the outputs
    python3 tools/gen_model.py --check      # exits 1 naming each output that differs
    python3 tools/gen_model.py --differences  # lists what differs between the editions

Input: the official description of VOD 2018-07-17 (the one the official SDKs
and tccli are generated from) reduced to facts: actions, structures, members,
types, required and deprecated flags; in its two editions: the Chinese
site's, model/vod-2018-07-17.model.json (--china PATH), and the international
site's, model/vod-2018-07-17.intl.model.json (--intl PATH). The outputs
describe their union (see merge() for its rules): every action of either
edition, each knowing its editions, and every structure with the members of
either edition.

Outputs (both committed; never edit them by hand):
  src/model/vod_model_data.c   the request side as static const C tables (see
                               src/model/vod_model.h for their shape)
  docs/reference.md            every method with its parameters, and every
                               request-side structure they reach

Only the structures reachable from the actions' request structures go into
the tables; the response side is left out, apart from the names of
DescribeTaskDetailResponse's task fields. Output is deterministic: the same
models give the same bytes.
"""
import argparse
import json
import os
import re
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The editions, in the order of their bits in an editions mask (vod_model.h's
# VOD_ED_*): the words of vod.new's `site` option, the model of each, and the
# address of its console's API Explorer (the product, version and action are
# appended as its query: ?Product=vod&Version=2018-07-17&Action=NAME).
EDITIONS = [
    {"name": "china", "c": "VOD_ED_CHINA", "model": "model/vod-2018-07-17.model.json",
     "title": "Chinese", "host": "vod.tencentcloudapi.com",
     "explorer": "https://console.cloud.tencent.com/api/explorer"},
    {"name": "intl", "c": "VOD_ED_INTL", "model": "model/vod-2018-07-17.intl.model.json",
     "title": "international", "host": "vod.intl.tencentcloudapi.com",
     "explorer": "https://console.tencentcloud.com/api/explorer"},
]
EDITION_NAMES = [e["name"] for e in EDITIONS]
# The order of an action's links: the library's default site first.
LINK_ORDER = ["intl", "china"]
OUT_C = "src/model/vod_model_data.c"
OUT_MD = "docs/reference.md"

LUA_KEYWORDS = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
    "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

# vod_model.h's enums, by value
MT = {"int64": "VOD_MT_INT", "uint64": "VOD_MT_UINT", "float": "VOD_MT_FLOAT",
      "string": "VOD_MT_STRING", "bool": "VOD_MT_BOOL", "object": "VOD_MT_OBJECT"}
KIND_C = {"other": "VOD_MA_OTHER", "query": "VOD_MA_QUERY", "create": "VOD_MA_CREATE"}
LIMIT_U16 = 0xFFFF


class ModelError(Exception):
    pass


def snake_case(name):
    """An action's method name: split before an upper-case letter that
    follows a lower-case letter or a digit, and before the last upper-case
    letter of a run that is followed by a lower-case one; lower-case all."""
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower()):
                out.append("_")
        out.append(c.lower())
    return "".join(out)


def is_lua_identifier(s):
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) is not None and s not in LUA_KEYWORDS


def c_sort_key(s):
    """strcmp order (unsigned bytes)."""
    return s.encode("utf-8")


# --- the model, reduced to what the tables need ------------------------------------------

class Field:
    def __init__(self, raw, order, objects, where):
        self.name = raw["name"]
        self.order = order
        self.required = bool(raw.get("required", False))
        self.disabled = bool(raw.get("disabled", False))
        self.editions = raw["editions"]             # the editions whose structure has it
        self.required_in = raw["required_in"]       # those in which it is required
        t, m = raw["type"], raw.get("member")
        self.list = t == "list"
        self.datetime = False
        self.ref = None                 # structure name for objects and lists of objects
        if t == "int":
            if m not in ("int64", "uint64"):
                raise ModelError("%s.%s: int of %r" % (where, self.name, m))
            self.scalar = m
        elif t == "float":
            self.scalar = "float"
        elif t == "string":
            if m not in ("string", "datetime_iso"):
                raise ModelError("%s.%s: string of %r" % (where, self.name, m))
            self.scalar = "string"
            self.datetime = m == "datetime_iso"
        elif t == "bool":
            self.scalar = "bool"
        elif t == "object":
            if m not in objects:
                raise ModelError("%s.%s: object of unknown %r" % (where, self.name, m))
            self.scalar, self.ref = "object", m
        elif t == "list":
            if m in objects:
                self.scalar, self.ref = "object", m
            elif m in ("int64", "uint64", "float", "string", "bool"):
                self.scalar = m
            else:
                raise ModelError("%s.%s: list of unknown %r" % (where, self.name, m))
        else:
            raise ModelError("%s.%s: unknown type %r" % (where, self.name, t))
        if not is_c_safe(self.name):
            raise ModelError("%s: member name %r is not plain ASCII" % (where, self.name))


def is_c_safe(s):
    return re.fullmatch(r"[A-Za-z0-9_]+", s) is not None


def action_kind(name, members):
    if any(f["name"] == "SessionId" for f in members):
        return "create"
    if name.startswith("Describe") or name.startswith("Search") or name == "PullEvents":
        return "query"
    return "other"


def read_model(path):
    with open(path, "rb") as f:
        model = json.loads(f.read().decode("utf-8"))
    for key in ("service", "version", "actions", "objects"):
        if key not in model:
            raise ModelError("%s: no %r" % (path, key))
    return model


def merge(models):
    """The union of the editions' models: [(edition, model)] in EDITIONS order.

    Actions: every action of any edition, with "editions", the list of those
    that have it; its request structure must have the same name in each.
    Structures: every structure of any edition, with "editions"; its members
    are those of every edition that has it (the first edition's order, then
    the members only a later one has, in its order), each with "editions"
    (the editions whose structure has the member) and:
      * type and member: must be the same wherever the member is; the union
        cannot hold two types, so a difference is an error to decide on;
      * required: only when every edition that has the structure requires
        it. A member required in one edition and optional or absent in
        another is optional in the union, so that a request valid in either
        edition passes ("required_in" keeps the editions that require it,
        for the reference);
      * disabled (deprecated): only when deprecated in every edition that
        has it.
    """
    service = {m["service"] for _, m in models}
    version = {m["version"] for _, m in models}
    if len(service) != 1 or len(version) != 1:
        raise ModelError("the editions describe different services or versions: %s %s"
                         % (sorted(service), sorted(version)))
    actions = {}
    for ed, m in models:
        for name, a in m["actions"].items():
            cur = actions.get(name)
            if cur is None:
                actions[name] = {"input": a["input"], "output": a.get("output"), "editions": [ed]}
            elif cur["input"] != a["input"]:
                raise ModelError("%s takes %s in one edition and %s in another"
                                 % (name, cur["input"], a["input"]))
            else:
                cur["editions"].append(ed)
    objects = {}
    names = []
    for _, m in models:
        names.extend(n for n in m["objects"] if n not in objects and n not in names)
    for name in names:
        present = [(ed, m["objects"][name]) for ed, m in models if name in m["objects"]]
        members, by_name = [], {}
        for ed, obj in present:
            seen = set()
            for raw in obj["members"]:
                mname = raw["name"]
                if mname in seen:
                    raise ModelError("%s (%s edition): member %s appears twice" % (name, ed, mname))
                seen.add(mname)
                u = by_name.get(mname)
                if u is None:
                    u = {"name": mname, "type": raw["type"], "member": raw.get("member"),
                         "editions": [], "required_in": [], "disabled_in": []}
                    by_name[mname] = u
                    members.append(u)
                elif (u["type"], u["member"]) != (raw["type"], raw.get("member")):
                    raise ModelError("%s.%s is %s of %s in one edition and %s of %s in %s: the union "
                                     "cannot hold both types" % (name, mname, u["type"], u["member"],
                                                                 raw["type"], raw.get("member"), ed))
                u["editions"].append(ed)
                if raw.get("required"):
                    u["required_in"].append(ed)
                if raw.get("disabled"):
                    u["disabled_in"].append(ed)
        eds = [ed for ed, _ in present]
        for u in members:
            u["required"] = u["required_in"] == eds
            u["disabled"] = bool(u["disabled_in"]) and u["disabled_in"] == u["editions"]
        objects[name] = {"members": members, "editions": eds}
    first = models[0][1]
    return {"service": first["service"], "version": first["version"],
            "actions": actions, "objects": objects}


def differences(models):
    """What differs between two editions, as lines of text (--differences)."""
    (ea, a), (eb, b) = models
    out = []
    for side, x, y in ((ea, a, b), (eb, b, a)):
        only = sorted(set(x["actions"]) - set(y["actions"]), key=c_sort_key)
        out.append("actions only in %s (%d): %s" % (side, len(only), ", ".join(only)))
    for side, x, y in ((ea, a, b), (eb, b, a)):
        only = sorted(set(x["objects"]) - set(y["objects"]), key=c_sort_key)
        out.append("structures only in %s (%d): %s" % (side, len(only), ", ".join(only)))
    req_a, req_b = reachable(a), reachable(b)
    for name in sorted(set(a["objects"]) & set(b["objects"]), key=c_sort_key):
        ma = {m["name"]: m for m in a["objects"][name]["members"]}
        mb = {m["name"]: m for m in b["objects"][name]["members"]}
        side = "request" if name in req_a or name in req_b else "response"
        for mname in list(ma) + [n for n in mb if n not in ma]:
            x, y = ma.get(mname), mb.get(mname)
            if x is None or y is None:
                m, ed = (x, ea) if y is None else (y, eb)
                out.append("%s %s.%s: only in %s (%s %s%s)" % (
                    side, name, mname, ed, m["type"], m.get("member"),
                    ", required" if m.get("required") else ""))
                continue
            for key in ("type", "member", "required", "disabled", "output_required"):
                if (x.get(key) != y.get(key) if key in ("type", "member")
                        else bool(x.get(key)) != bool(y.get(key))):
                    out.append("%s %s.%s: %s %r in %s, %r in %s" % (
                        side, name, mname, key, x.get(key), ea, y.get(key), eb))
    return out


def reachable(model):
    """The names of the structures reachable from the actions' requests."""
    objects, seen = model["objects"], set()
    stack = [a["input"] for a in model["actions"].values()]
    while stack:
        name = stack.pop()
        if name in seen or name not in objects:
            continue
        seen.add(name)
        for m in objects[name]["members"]:
            if m["type"] in ("object", "list") and m.get("member") in objects:
                stack.append(m["member"])
    return seen


def load(models):
    model = merge(models)
    actions, objects = model["actions"], model["objects"]

    # structures reachable from the request structures, with their fields
    reach = {}
    stack = sorted((a["input"] for a in actions.values()), reverse=True)
    while stack:
        name = stack.pop()
        if name in reach:
            continue
        if name not in objects:
            raise ModelError("unknown structure %r" % name)
        if not is_c_safe(name):
            raise ModelError("structure name %r is not plain ASCII" % name)
        fields = [Field(m, i, objects, name) for i, m in enumerate(objects[name]["members"])]
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ModelError("%s: a member name appears twice" % name)
        reach[name] = fields
        for f in fields:
            if f.ref:
                stack.append(f.ref)
    check_acyclic(reach)

    acts = []
    for name in sorted(actions, key=c_sort_key):
        inp = actions[name]["input"]
        if not is_c_safe(name):
            raise ModelError("action name %r is not plain ASCII" % name)
        acts.append({
            "name": name,
            "method": snake_case(name),
            "input": inp,
            "kind": action_kind(name, objects[inp]["members"]),
            "editions": actions[name]["editions"],
        })
    methods = [a["method"] for a in acts]
    for m in methods:
        if not is_lua_identifier(m):
            raise ModelError("method name %r is not a Lua identifier" % m)
    if len(set(methods)) != len(methods):
        dup = sorted({m for m in methods if methods.count(m) > 1})
        raise ModelError("method names collide: %s" % ", ".join(dup))

    # DescribeTaskDetailResponse: its object members each hold one task type
    dtd = objects["DescribeTaskDetailResponse"]["members"]
    task_fields, task_progress = [], []
    for m in dtd:
        if m["type"] != "object":
            continue
        task = objects[m["member"]]["members"]
        if not any(t["name"] == "TaskId" for t in task):
            raise ModelError("DescribeTaskDetailResponse.%s: no TaskId in %s" % (m["name"], m["member"]))
        task_fields.append(m["name"])
        if any(t["name"] == "Progress" and t["type"] == "int" for t in task):
            task_progress.append(m["name"])

    return {"model": model, "actions": acts, "structs": reach,
            "struct_editions": {n: objects[n]["editions"] for n in reach},
            "task_fields": task_fields, "task_progress": task_progress}


def check_acyclic(reach):
    state = {}

    def visit(name, trail):
        s = state.get(name)
        if s == 2:
            return
        if s == 1:
            raise ModelError("the request structures have a cycle: %s" % " -> ".join(trail + [name]))
        state[name] = 1
        for f in reach[name]:
            if f.ref:
                visit(f.ref, trail + [name])
        state[name] = 2

    for name in sorted(reach):
        visit(name, [])


# --- the C tables ---------------------------------------------------------------------------

class Pool:
    """One char array of NUL-ended names, each stored once."""

    def __init__(self):
        self.offsets, self.items, self.size = {}, [], 0

    def add(self, s):
        if s not in self.offsets:
            self.offsets[s] = self.size
            self.items.append(s)
            self.size += len(s.encode("utf-8")) + 1
        return self.offsets[s]


def editions_c(eds):
    """An editions mask as vod_model.h's names."""
    if eds == EDITION_NAMES:
        return "VOD_ED_ALL"
    return "|".join(e["c"] for e in EDITIONS if e["name"] in eds)


def explorer_prefix(edition, model):
    """The API Explorer's address of an action of the edition, up to its name."""
    return "%s?Product=%s&Version=%s&Action=" % (edition["explorer"], model["service"],
                                                 model["version"])


def explorer_link(edition_name, action, model):
    e = next(e for e in EDITIONS if e["name"] == edition_name)
    return explorer_prefix(e, model) + action


def gen_c(data, model_paths):
    acts, reach = data["actions"], data["structs"]
    # structures in strcmp order of their names; fields in strcmp order within each
    snames = sorted(reach, key=c_sort_key)
    sindex = {n: i for i, n in enumerate(snames)}
    pool = Pool()
    # names first in a fixed order, so offsets are stable
    for a in acts:
        pool.add(a["name"])
    for a in acts:
        pool.add(a["method"])
    for n in snames:
        pool.add(n)
    for n in snames:
        for f in sorted(reach[n], key=lambda f: c_sort_key(f.name)):
            pool.add(f.name)
    for e in EDITIONS:
        pool.add(e["name"])
    for e in EDITIONS:
        pool.add(explorer_prefix(e, data["model"]))

    field_rows, struct_rows = [], []
    for n in snames:
        fields = sorted(reach[n], key=lambda f: c_sort_key(f.name))
        first = len(field_rows)
        nreq = sum(1 for f in fields if f.required)
        if len(fields) > LIMIT_U16 or first > LIMIT_U16:
            raise ModelError("%s: too many members for the tables' uint16 fields" % n)
        struct_rows.append("    { %5d, %4d, %2d, %2d }, /* %d %s */" % (
            pool.offsets[n], first, len(fields), nreq, len(struct_rows), n))
        for f in fields:
            flags = []
            if f.required:
                flags.append("VOD_MF_REQUIRED")
            if f.disabled:
                flags.append("VOD_MF_DISABLED")
            if f.list:
                flags.append("VOD_MF_LIST")
            ref = sindex[f.ref] if f.ref else 0
            field_rows.append("    { %5d, %-14s %-32s %3d, %2d, %s }, /* %s */" % (
                pool.offsets[f.name], MT[f.scalar] + ",", ("|".join(flags) or "0") + ",",
                ref, f.order, editions_c(f.editions), f.name))
    if len(field_rows) > LIMIT_U16:
        raise ModelError("too many fields for uint16 indices")

    action_rows = []
    for a in acts:
        action_rows.append("    { %5d, %5d, %3d, %-13s %s }, /* %s */" % (
            pool.offsets[a["name"]], pool.offsets[a["method"]], sindex[a["input"]],
            KIND_C[a["kind"]] + ",", editions_c(a["editions"]), a["name"]))
    by_method = sorted(range(len(acts)), key=lambda i: c_sort_key(acts[i]["method"]))

    out = []
    w = out.append
    w("/* Generated by tools/gen_model.py from %s: do not edit; regenerate with\n"
      " * `python3 tools/gen_model.py` (`--check` tells whether this file is current).\n"
      % " and\n * ".join(model_paths))
    w(" * %s %s, request side: %d actions (%s: the union of the\n"
      " * official models of its editions), %d structures, %d fields. */\n" % (
          data["model"]["service"], data["model"]["version"], len(acts),
          ", ".join("%s %d" % (e["name"], sum(1 for a in acts if e["name"] in a["editions"]))
                    for e in EDITIONS), len(snames), len(field_rows)))
    w('#include "vod_model.h"\n\n')
    w("/* Every name, NUL-ended, each once; the tables hold offsets into it. */\n")
    w("const char vod_model_strings[%d] =\n" % pool.size)
    line = "   "
    for s in pool.items:
        piece = ' "%s\\0"' % s
        if len(line) + len(piece) > 96:
            w(line + "\n")
            line = "   "
        line += piece
    w(line + ";\n\n")
    w("const size_t vod_model_strings_size = sizeof vod_model_strings;\n\n")

    w("/* name, first, count, nrequired; in strcmp order of name */\n")
    w("const vod_mstruct vod_model_structs[] = {\n")
    w("\n".join(struct_rows) + "\n};\n")
    w("const size_t vod_model_nstructs = sizeof vod_model_structs / sizeof vod_model_structs[0];\n\n")

    w("/* name, type, flags, ref (structure index), order (position in the model),\n"
      " * editions (those whose structure has the member); each structure's run in\n"
      " * strcmp order of name */\n")
    w("const vod_mfield vod_model_fields[] = {\n")
    w("\n".join(field_rows) + "\n};\n")
    w("const size_t vod_model_nfields = sizeof vod_model_fields / sizeof vod_model_fields[0];\n\n")

    w("/* name, method, input structure, kind, editions; in strcmp order of name */\n")
    w("const vod_maction vod_model_actions[] = {\n")
    w("\n".join(action_rows) + "\n};\n")
    w("const size_t vod_model_nactions = sizeof vod_model_actions / sizeof vod_model_actions[0];\n\n")

    w("/* indices into vod_model_actions in strcmp order of method */\n")
    w("const uint16_t vod_model_by_method[] = {\n")
    for i in range(0, len(by_method), 16):
        w("    " + ", ".join("%d" % x for x in by_method[i:i + 16]) + ",\n")
    w("};\n\n")

    w("/* each edition's name (the `site` option's word) and the address of its console's\n"
      " * API Explorer up to the action's name, by bit of VOD_ED_* */\n")
    w("const uint32_t vod_model_edition_names[VOD_NEDITIONS] = { %s };\n" % ", ".join(
        "%d" % pool.offsets[e["name"]] for e in EDITIONS))
    w("const uint32_t vod_model_explorer[VOD_NEDITIONS] = { %s };\n\n" % ", ".join(
        "%d" % pool.offsets[explorer_prefix(e, data["model"])] for e in EDITIONS))

    w("/* DescribeTaskDetailResponse's members that hold a task, in the model's order */\n")
    w("const char *const vod_model_task_fields[] = {\n")
    for n in data["task_fields"]:
        w('    "%s",\n' % n)
    w("    NULL,\n};\n\n")
    w("/* those of them whose task has an integer Progress */\n")
    w("const char *const vod_model_task_progress[] = {\n")
    for n in data["task_progress"]:
        w('    "%s",\n' % n)
    w("    NULL,\n};\n")
    return "".join(out)


# --- the reference ---------------------------------------------------------------------------

KIND_TEXT = {
    "query": "query (reads only)",
    "create": "create (carries a SessionId: safe to retry)",
    "other": "other",
}


def anchor(struct_name):
    return struct_name.lower()


def type_text(f, link):
    if f.scalar == "object":
        base = "[%s](#%s)" % (f.ref, anchor(f.ref)) if link else f.ref
    elif f.scalar in ("int64", "uint64"):
        base = "integer (%s)" % f.scalar
    elif f.scalar == "float":
        base = "number"
    elif f.scalar == "bool":
        base = "boolean"
    elif f.datetime:
        base = "string (ISO 8601 date and time)"
    else:
        base = "string"
    return "list of " + base if f.list else base


def help_order(fields):
    """Required members first, each group in the model's order."""
    return sorted(fields, key=lambda f: (not f.required, f.order))


def edition_of(name):
    return next(e for e in EDITIONS if e["name"] == name)


def field_note(f, within):
    """The note of a member whose editions are not all of `within` (the
    action's, for a parameter; the structure's, for a member)."""
    notes = []
    if f.disabled:
        notes.append("deprecated (still accepted)")
    if f.editions != within:
        notes.append("only in the %s edition" % " and ".join(
            edition_of(e)["title"] for e in f.editions))
    if f.required_in and not f.required:
        notes.append("required in the %s edition" % " and ".join(
            edition_of(e)["title"] for e in f.required_in))
    return "; ".join(notes)


def field_table(fields, what, within):
    rows = ["| %s | type | required | note |" % what, "| --- | --- | --- | --- |"]
    for f in help_order(fields):
        rows.append("| `%s` | %s | %s | %s |" % (
            f.name, type_text(f, True), "yes" if f.required else "", field_note(f, within)))
    return "\n".join(rows)


def editions_text(eds):
    return ", ".join("`%s`" % e for e in eds)


def links_text(a, model):
    """The API Explorer of each edition that has the action, the default site's first."""
    return ", ".join("[%s](%s)" % (edition_of(e)["title"], explorer_link(e, a["name"], model))
                     for e in LINK_ORDER if e in a["editions"])


def para(text):
    """A paragraph of the reference, wrapped."""
    return textwrap.fill(" ".join(text.split()), width=88, break_long_words=False,
                         break_on_hyphens=False) + "\n\n"


def gen_md(data, model_paths):
    acts, reach, model = data["actions"], data["structs"], data["model"]
    counts = {k: sum(1 for a in acts if a["kind"] == k) for k in ("query", "create", "other")}
    inputs = {a["input"] for a in acts}
    nested = sorted((n for n in reach if n not in inputs), key=c_sort_key)
    anchors = {anchor(n) for n in nested}
    for a in acts:
        if a["method"] in anchors:
            raise ModelError("anchor of method %s collides with a structure's" % a["method"])
    in_edition = {e["name"]: [a for a in acts if e["name"] in a["editions"]] for e in EDITIONS}
    lacks = {e["name"]: [a for a in acts if e["name"] not in a["editions"]] for e in EDITIONS}
    fields = [f for n in reach for f in reach[n]]
    one_sided = sum(1 for n in reach for f in reach[n] if f.editions != data["struct_editions"][n])
    loosened = sum(1 for f in fields if f.required_in and not f.required)

    out = []
    w = out.append
    w("# Method reference\n\n")
    w("<!-- Generated by tools/gen_model.py from %s: do not edit. -->\n\n" % " and ".join(model_paths))
    w(para("This file is generated by `tools/gen_model.py` from the official models of VOD %s, "
           "one for each edition of the API (%s); after changing either, regenerate it (and the "
           "C tables in `%s`) with `python3 tools/gen_model.py`. The suite runs "
           "`python3 tools/gen_model.py --check`, which fails when a committed output differs."
           % (model["version"], ", ".join("`%s`, the %s site's" % (e["model"], e["title"])
                                          for e in EDITIONS), OUT_C)))
    w("Every action of the API is a method of a client, named in snake_case\n"
      "(`CreateAigcVideoTask` -> `client:create_aigc_video_task{...}`). Parameters keep\n"
      "the API's names at every depth; lists are Lua arrays (`{ a, b }`), objects are\n"
      "tables of named members. Before anything is sent, every name is checked at every\n"
      "depth against the model (with a suggestion for a near miss), required members must\n"
      "be present, and every value must have its JSON type. `vod.null` is sent as JSON\n"
      "`null`. Integers must be exact and within +-2^53; `uint64` ones also not negative.\n"
      "Deprecated members are still accepted.\n\n")
    w("Kinds: **query** (%d): the name starts with `Describe` or `Search`, or is\n"
      "`PullEvents`, and the request has no `SessionId`; **create** (%d): the request has\n"
      "a `SessionId`, an idempotency key (the API refuses a repeat with the same one, so\n"
      "a retry cannot create twice); **other** (%d): the rest.\n\n"
      % (counts["query"], counts["create"], counts["other"]))

    w("- [Editions](#editions): which actions each edition has\n"
      "- [Methods](#methods): every action, its parameters and its API Explorer pages\n"
      "- [Structures](#structures): the request-side structures the parameters reach\n\n")
    w("## Editions\n\n")
    w(para("VOD %s has two editions, each with its own official model: %s. The library knows "
           "their union, %d actions, each with its editions below (the words of the `site` "
           "option; `vod.describe_action(name).editions` in Lua). A client calls any of them "
           "whatever its site or endpoint: the server answers, and an action its edition lacks "
           "is refused by the server, not by the library."
           % (model["version"], "; ".join(
               "the %s site's (`site = \"%s\"`, `%s`%s): %d actions" % (
                   e["title"], e["name"], e["host"],
                   ", the library's default" if e["name"] == LINK_ORDER[0] else "",
                   len(in_edition[e["name"]])) for e in EDITIONS), len(acts))))
    w(para("Where a request structure differs between the editions, it has the members of both, "
           "so that a request valid in either edition passes the library's check: a member that "
           "only one edition has is noted as such below (%d on the request side). A member "
           "required in one edition but optional or absent in the other is optional here "
           "(%s); one required in both is required. A member whose type differed between the "
           "editions would stop the generator (none does)."
           % (one_sided, "none is, in these models" if loosened == 0 else "%d, noted below" % loosened)))
    w(para("Each action links to its page in the API Explorer of the console of each edition "
           "that has it (the international console's first), where its parameters are described "
           "and it can be tried."))
    for e in EDITIONS:
        missing = lacks[e["name"]]
        w("### What the %s edition lacks\n\n" % e["title"])
        w(para("%d action%s, which only the %s edition has: %s." % (
            len(missing), "" if len(missing) == 1 else "s", " and ".join(edition_of(x)["title"] for x in EDITION_NAMES if x != e["name"]),
            ", ".join("[`%s`](#%s)" % (a["name"], a["method"]) for a in missing) or "none")))

    w("## Methods\n\n")
    w("| method | action | kind | editions |\n| --- | --- | --- | --- |\n")
    for a in acts:
        w("| [`%s`](#%s) | `%s` | %s | %s |\n" % (a["method"], a["method"], a["name"], a["kind"],
                                              editions_text(a["editions"])))
    w("\n")
    for a in acts:
        params = reach[a["input"]]
        w("### %s\n\n" % a["method"])
        # the argument may be left out when no member is required
        arg = "{...}" if any(f.required for f in params) else "(params?)"
        w("`syntax: res = client:%s%s`\n\n" % (a["method"], arg))
        w("Action `%s`, %s.\n" % (a["name"], KIND_TEXT[a["kind"]]))
        w("Editions: %s. API Explorer: %s.\n\n" % (editions_text(a["editions"]), links_text(a, model)))
        if params:
            w(field_table(params, "parameter", a["editions"]) + "\n\n")
        else:
            w("No parameters.\n\n")
    w("## Structures\n\n")
    w("The request-side structures that the parameters above reach, by name.\n\n")
    for n in nested:
        eds = data["struct_editions"][n]
        w("### %s\n\n" % n)
        if eds != EDITION_NAMES:
            w("Only in the %s edition.\n\n" % " and ".join(edition_of(e)["title"] for e in eds))
        w(field_table(reach[n], "member", eds) + "\n\n")
    return "".join(out).rstrip("\n") + "\n"


# --- main --------------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for e in EDITIONS:
        ap.add_argument("--" + e["name"], default=e["model"], metavar="PATH",
                        help="the %s edition's model (default: %%(default)s)" % e["title"])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 when a committed output differs from what would be generated")
    ap.add_argument("--differences", action="store_true",
                    help="write nothing; list what differs between the two editions' models")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    shown, models = [], []
    try:
        for e in EDITIONS:
            path = getattr(args, e["name"])
            rel = path if not os.path.isabs(path) else os.path.relpath(path, args.root)
            shown.append(rel.replace(os.sep, "/"))
            models.append((e["name"], read_model(os.path.join(args.root, path))))
        if args.differences:
            for line in differences(models):
                print(line)
            return 0
        data = load(models)
    except (ModelError, KeyError, ValueError, OSError) as e:
        print("gen_model.py: %s" % e, file=sys.stderr)
        return 2

    outputs = {OUT_C: gen_c(data, shown), OUT_MD: gen_md(data, shown)}
    editions = ", ".join("%s %d" % (e["name"], sum(1 for a in data["actions"] if e["name"] in a["editions"]))
                         for e in EDITIONS)
    counts = {k: sum(1 for a in data["actions"] if a["kind"] == k) for k in ("query", "create", "other")}
    fields = sum(len(v) for v in data["structs"].values())
    summary = ("%d actions (%s; query %d, create %d, other %d), %d request-side structures, %d fields"
               % (len(data["actions"]), editions, counts["query"], counts["create"], counts["other"],
                  len(data["structs"]), fields))

    if args.check:
        stale = []
        for rel, text in outputs.items():
            path = os.path.join(args.root, rel)
            try:
                with open(path, "rb") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != text.encode("utf-8"):
                stale.append(rel)
                print("gen_model.py --check: %s %s; regenerate with `python3 tools/gen_model.py`"
                      % (rel, "is missing" if current is None else "differs from what the generator writes"),
                      file=sys.stderr)
        if stale:
            return 1
        print("gen_model.py --check: up to date (%s)" % summary)
        return 0

    for rel, text in outputs.items():
        path = os.path.join(args.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        print("wrote %s" % rel)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
