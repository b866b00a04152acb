"""Request validation against the official models of VOD 2018-07-17.

The API has two editions, each with its official model: the Chinese site's
(model/vod-2018-07-17.model.json in the project) and the international
site's (model/vod-2018-07-17.intl.model.json). A model lists every action
with its input and output structures (`outputs`: action -> output structure,
used by shape.py), and every structure with its members: name, type
(int, float, string, bool, list, object), member (list element type or
structure name; int64/uint64 for an int), required, disabled.

The fake validates with the union of the models it is given (by default
both), so that a request valid in either edition is valid here:
  * an action of any of the models; its input and output structures named
    alike in each;
  * a structure's members: those of every model that has the structure;
  * a member is required only when every model that has its structure
    requires it (required in one, optional or absent in another: optional);
  * a member's type must be the same in every model that has it, else the
    models cannot be loaded (the union would have to accept two types).

Rules, at every depth (paths are 0-based: `SubjectInfos[0].Name`):
  * a member the structure does not have        -> UnknownParameter
  * a required member that is absent            -> MissingParameter
  * a value of the wrong JSON type, or null     -> InvalidParameter
    int: a JSON integer (no fraction, not a bool), int64 or uint64 range
    (uint64 >= 0); float: any finite JSON number; string; bool;
    list: an array whose items follow `member`; object: a JSON object.
Members marked `disabled` are accepted like the others. Within one object the
unknown members are reported first (body order), then the missing ones (model
order), then each value (body order, depth first).
"""
import json
import math
import os

from apierror import ApiError

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model")
DEFAULT_PATHS = [os.path.join(MODEL_DIR, "vod-2018-07-17.model.json"),
                 os.path.join(MODEL_DIR, "vod-2018-07-17.intl.model.json")]
INT_RANGES = {"int64": (-2 ** 63, 2 ** 63 - 1), "uint64": (0, 2 ** 64 - 1)}


class ModelConflict(Exception):
    """The models cannot be merged into one."""


class Model:
    def __init__(self, paths=None):
        models = []
        for path in paths or DEFAULT_PATHS:
            with open(path, encoding="utf-8") as f:
                models.append((path, json.load(f)))
        self.actions, self.outputs = {}, {}
        for path, data in models:
            for name, a in data["actions"].items():
                for table, key in ((self.actions, "input"), (self.outputs, "output")):
                    if table.setdefault(name, a[key]) != a[key]:
                        raise ModelConflict("%s: %s's %s is %s, elsewhere %s"
                                            % (path, name, key, a[key], table[name]))
        # structure -> {member name: member description}, in model order
        # (the first model's, then the members only a later one has)
        self.structs = {}
        having = {}         # structure -> how many models have it
        required = {}       # (structure, member) -> how many models require it
        for path, data in models:
            for name, s in data["objects"].items():
                members = self.structs.setdefault(name, {})
                having[name] = having.get(name, 0) + 1
                for m in s["members"]:
                    seen = members.get(m["name"])
                    if seen is None:
                        members[m["name"]] = dict(m)
                    elif (seen["type"], seen.get("member")) != (m["type"], m.get("member")):
                        raise ModelConflict("%s: %s.%s is %s of %s, elsewhere %s of %s" % (
                            path, name, m["name"], m["type"], m.get("member"),
                            seen["type"], seen.get("member")))
                    if m.get("required"):
                        key = (name, m["name"])
                        required[key] = required.get(key, 0) + 1
        for name, members in self.structs.items():
            for mname, m in members.items():
                m["required"] = required.get((name, mname), 0) == having[name]

    def has_action(self, action):
        return action in self.actions

    def validate(self, action, params):
        """Raise ApiError unless params (a dict) is a valid input of action."""
        self._object(self.actions[action], params, "")

    # -- one structure --------------------------------------------------------
    def _object(self, struct, value, path):
        members = self.structs[struct]
        for name in value:
            if name not in members:
                raise ApiError("UnknownParameter",
                               "parameter `%s` is not recognized" % _join(path, name))
        for name, m in members.items():
            if m.get("required") and name not in value:
                raise ApiError("MissingParameter",
                               "parameter `%s` is required" % _join(path, name))
        for name, v in value.items():
            m = members[name]
            where = _join(path, name)
            if m["type"] == "list":
                if not isinstance(v, list):
                    raise _type_error(where, "an array")
                for i, item in enumerate(v):
                    self._value(m["member"], item, "%s[%d]" % (where, i))
            elif m["type"] == "object":
                self._value(m["member"], v, where)
            else:
                self._value(m["member"] if m["type"] == "int" else m["type"], v, where)

    # -- one value of a scalar type or of a structure -------------------------
    def _value(self, kind, v, where):
        if kind in INT_RANGES or kind == "int":
            lo, hi = INT_RANGES.get(kind, INT_RANGES["int64"])
            if not _is_int(v):
                raise _type_error(where, "an integer")
            if not lo <= v <= hi:
                raise _type_error(where, "an integer in %d..%d" % (lo, hi))
        elif kind == "float":
            if not (_is_int(v) or isinstance(v, float)) or \
                    isinstance(v, float) and not math.isfinite(v):
                raise _type_error(where, "a number")
        elif kind in ("string", "datetime_iso"):
            if not isinstance(v, str):
                raise _type_error(where, "a string")
        elif kind == "bool":
            if not isinstance(v, bool):
                raise _type_error(where, "a boolean")
        else:
            if not isinstance(v, dict):
                raise _type_error(where, "an object (%s)" % kind)
            self._object(kind, v, where)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _join(path, name):
    return "%s.%s" % (path, name) if path else name


def _type_error(where, what):
    return ApiError("InvalidParameter", "parameter `%s` must be %s" % (where, what))
