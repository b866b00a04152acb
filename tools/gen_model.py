#!/usr/bin/env python3
"""Generates the C tables of the API model and the method reference.

    python3 tools/gen_model.py            # writes the outputs
    python3 tools/gen_model.py --check    # exits 1 naming each output that differs

Input: model/vod-2018-07-17.model.json (or --model PATH), the official
description of VOD 2018-07-17 (the one the official SDKs and tccli are
generated from) reduced to facts: actions, structures, members, types,
required and deprecated flags.

Outputs (both committed; never edit them by hand):
  src/model/vod_model_data.c   the request side as static const C tables (see
                               src/model/vod_model.h for their shape)
  docs/reference.md            every method with its parameters, and every
                               request-side structure they reach

Only the structures reachable from the actions' request structures go into
the tables; the response side is left out, apart from the names of
DescribeTaskDetailResponse's task fields. Output is deterministic: the same
model gives the same bytes.
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL = "model/vod-2018-07-17.model.json"
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


def load(path):
    with open(path, "rb") as f:
        model = json.loads(f.read().decode("utf-8"))
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
            "status": actions[name].get("status"),
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


def gen_c(data, model_path):
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
            field_rows.append("    { %5d, %-14s %-32s %3d, %2d }, /* %s */" % (
                pool.offsets[f.name], MT[f.scalar] + ",", ("|".join(flags) or "0") + ",",
                ref, f.order, f.name))
    if len(field_rows) > LIMIT_U16:
        raise ModelError("too many fields for uint16 indices")

    action_rows = []
    for a in acts:
        action_rows.append("    { %5d, %5d, %3d, %s }, /* %s */" % (
            pool.offsets[a["name"]], pool.offsets[a["method"]], sindex[a["input"]],
            KIND_C[a["kind"]], a["name"]))
    by_method = sorted(range(len(acts)), key=lambda i: c_sort_key(acts[i]["method"]))

    out = []
    w = out.append
    w("/* Generated by tools/gen_model.py from %s: do not edit; regenerate with\n" % model_path)
    w(" * `python3 tools/gen_model.py` (`--check` tells whether this file is current).\n")
    w(" * %s %s (%s), request side: %d actions, %d structures, %d fields. */\n" % (
        data["model"].get("service", "?"), data["model"].get("version", "?"),
        "the official model", len(acts), len(snames), len(field_rows)))
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

    w("/* name, type, flags, ref (structure index), order (position in the model);\n"
      " * each structure's run in strcmp order of name */\n")
    w("const vod_mfield vod_model_fields[] = {\n")
    w("\n".join(field_rows) + "\n};\n")
    w("const size_t vod_model_nfields = sizeof vod_model_fields / sizeof vod_model_fields[0];\n\n")

    w("/* name, method, input structure, kind; in strcmp order of name */\n")
    w("const vod_maction vod_model_actions[] = {\n")
    w("\n".join(action_rows) + "\n};\n")
    w("const size_t vod_model_nactions = sizeof vod_model_actions / sizeof vod_model_actions[0];\n\n")

    w("/* indices into vod_model_actions in strcmp order of method */\n")
    w("const uint16_t vod_model_by_method[] = {\n")
    for i in range(0, len(by_method), 16):
        w("    " + ", ".join("%d" % x for x in by_method[i:i + 16]) + ",\n")
    w("};\n\n")

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


def field_table(fields, what):
    rows = ["| %s | type | required | note |" % what, "| --- | --- | --- | --- |"]
    for f in help_order(fields):
        rows.append("| `%s` | %s | %s | %s |" % (
            f.name, type_text(f, True), "yes" if f.required else "",
            "deprecated (still accepted)" if f.disabled else ""))
    return "\n".join(rows)


def gen_md(data, model_path):
    acts, reach = data["actions"], data["structs"]
    counts = {k: sum(1 for a in acts if a["kind"] == k) for k in ("query", "create", "other")}
    inputs = {a["input"] for a in acts}
    nested = sorted((n for n in reach if n not in inputs), key=c_sort_key)
    anchors = {anchor(n) for n in nested}
    for a in acts:
        if a["method"] in anchors:
            raise ModelError("anchor of method %s collides with a structure's" % a["method"])

    out = []
    w = out.append
    w("# Method reference\n\n")
    w("<!-- Generated by tools/gen_model.py from %s: do not edit. -->\n\n" % model_path)
    w("This file is generated from the official model of VOD %s (`%s`) by\n"
      "`tools/gen_model.py`; after changing either, regenerate it (and the C tables in\n"
      "`%s`) with `python3 tools/gen_model.py`. The suite runs\n"
      "`python3 tools/gen_model.py --check`, which fails when a committed output differs.\n\n"
      % (data["model"].get("version", "?"), model_path, OUT_C))
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
    w("## Methods\n\n")
    w("| method | action | kind |\n| --- | --- | --- |\n")
    for a in acts:
        w("| [`%s`](#%s) | `%s` | %s |\n" % (a["method"], a["method"], a["name"], a["kind"]))
    w("\n")
    for a in acts:
        fields = reach[a["input"]]
        w("### %s\n\n" % a["method"])
        w("`client:%s{...}`: action `%s`, %s.\n\n" % (a["method"], a["name"], KIND_TEXT[a["kind"]]))
        if fields:
            w(field_table(fields, "parameter") + "\n\n")
        else:
            w("No parameters.\n\n")
    w("## Structures\n\n")
    w("The request-side structures that the parameters above reach, by name.\n\n")
    for n in nested:
        w("### %s\n\n" % n)
        w(field_table(reach[n], "member") + "\n\n")
    return "".join(out).rstrip("\n") + "\n"


# --- main --------------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL, help="the model file (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 when a committed output differs from what would be generated")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    model_path = args.model
    shown = model_path if not os.path.isabs(model_path) else os.path.relpath(model_path, args.root)
    shown = shown.replace(os.sep, "/")
    try:
        data = load(os.path.join(args.root, model_path))
    except (ModelError, KeyError, ValueError) as e:
        print("gen_model.py: %s" % e, file=sys.stderr)
        return 2

    outputs = {OUT_C: gen_c(data, shown), OUT_MD: gen_md(data, shown)}
    counts = {k: sum(1 for a in data["actions"] if a["kind"] == k) for k in ("query", "create", "other")}
    fields = sum(len(v) for v in data["structs"].values())
    summary = ("%d actions (query %d, create %d, other %d), %d request-side structures, %d fields"
               % (len(data["actions"]), counts["query"], counts["create"], counts["other"],
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
