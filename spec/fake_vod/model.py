"""Request validation against the official model of VOD 2018-07-17.

The model (model/vod-2018-07-17.model.json in the project) lists every action
with its input and output structures (`outputs`: action -> output structure,
used by shape.py), and every structure with its members: name, type
(int, float, string, bool, list, object), member (list element type or
structure name; int64/uint64 for an int), required, disabled.

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

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "..", "model", "vod-2018-07-17.model.json")
INT_RANGES = {"int64": (-2 ** 63, 2 ** 63 - 1), "uint64": (0, 2 ** 64 - 1)}


class Model:
    def __init__(self, path=None):
        with open(path or DEFAULT_PATH, encoding="utf-8") as f:
            data = json.load(f)
        self.actions = {name: a["input"] for name, a in data["actions"].items()}
        self.outputs = {name: a["output"] for name, a in data["actions"].items()}
        # structure -> {member name: member description}, in model order
        self.structs = {name: {m["name"]: m for m in s["members"]}
                        for name, s in data["objects"].items()}

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
