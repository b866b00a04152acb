"""The control API of the fake COS: /_control/cos/* (JSON, no signature).

  GET  /_control/cos/requests   the ledger: every COS request since reset
  GET  /_control/cos/uploads    multipart uploads in progress
  GET  /_control/cos/objects    the objects (key, size, crc64, md5, ...)
  GET  /_control/cos/sessions   the upload sessions (without their secrets)
  GET  /_control/cos/fault      the COS fault, or null
  POST /_control/cos/fault      set it: {"mode", "count", "operation", "part_number", ...}
"""
import hashlib
import json

import crc64

from coserror import DEFAULT_CODES
import cos

# mode -> (the operations it can affect, its parameters with their defaults)
MODES = {
    "error": (sorted(cos.OPERATIONS), {"status": 500, "code": None,
                                        "message": "injected fault"}),
    "close_mid_body": (sorted(cos.BODY_OPS), {"after_bytes": 65536}),
    "delay": (sorted(cos.OPERATIONS), {"seconds": 1.0}),
    "bad_crc": (sorted(cos.CRC_OPS), {}),
    "complete_error_in_200": (["CompleteMultipartUpload"],
                              {"seconds": 0.3, "code": "InternalError",
                               "message": "We encountered an internal error. Please try "
                                          "again."}),
    "complete_whitespace": (["CompleteMultipartUpload"], {"seconds": 0.3}),
}
CHECKS = {
    "status": lambda v: _is_int(v) and 400 <= v <= 599,
    "code": lambda v: isinstance(v, str) and v != "",
    "message": lambda v: isinstance(v, str),
    "after_bytes": lambda v: _is_int(v) and v >= 0,
    "seconds": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    and 0 <= v <= 3600,
}


class ControlError(Exception):
    pass


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def parse_fault(data):
    mode = data.get("mode")
    if mode == "none":
        return None
    if mode not in MODES:
        raise ControlError("unknown COS fault mode %r (known: none, %s)"
                           % (mode, ", ".join(sorted(MODES))))
    operations, defaults = MODES[mode]
    fault = {"mode": mode, "count": -1, "operation": None, "part_number": None}
    fault.update(defaults)
    for key, value in data.items():
        if key == "mode":
            continue
        if key == "count":
            if not _is_int(value) or not (value == -1 or value >= 1):
                raise ControlError("`count` must be -1 (until cleared) or >= 1")
        elif key == "operation":
            if value not in operations:
                raise ControlError("COS fault mode `%s` applies to the operations %s, "
                                   "not %r" % (mode, ", ".join(operations), value))
        elif key == "part_number":
            if not _is_int(value) or not 1 <= value <= 10000:
                raise ControlError("`part_number` must be an integer in 1..10000")
        elif key not in defaults:
            raise ControlError("COS fault mode `%s` takes no parameter `%s`" % (mode, key))
        elif not CHECKS[key](value):
            raise ControlError("bad value for `%s`: %r" % (key, value))
        fault[key] = value
    if mode == "error" and fault["code"] is None:
        fault["code"] = DEFAULT_CODES.get(fault["status"],
                                          "InternalError" if fault["status"] >= 500
                                          else "InvalidRequest")
    fault["operations"] = [fault["operation"]] if fault["operation"] else operations
    return fault


def _set_fault(state, model, body):
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        raise ControlError("body is not valid JSON")
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    fault = parse_fault(data)
    state.cos.set_fault(fault)
    return {"ok": True, "fault": fault}


def _put_object(state, model, body):
    """A test's shortcut: an object stored at a key as if PUT, without a
    session or a signature (a spec that walks CommitUpload's answer)."""
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        raise ControlError("body is not valid JSON")
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
        raise ControlError("body must be {\"key\": text, \"data\": text}")
    blob = str(data.get("data", "")).encode("utf-8")
    path = state.cos.new_path()
    with open(path, "wb") as f:
        f.write(blob)
    state.cos.put_object(state.cos.generation, data["key"], path, len(blob),
                         hashlib.md5(blob).hexdigest(), crc64.crc64(blob),
                         data.get("content_type", "application/octet-stream"))
    return {"ok": True}


ROUTES = {
    ("POST", "/_control/cos/object"): _put_object,
    ("GET", "/_control/cos/requests"): lambda state, model, body: state.cos.requests(),
    ("GET", "/_control/cos/uploads"): lambda state, model, body: state.cos.upload_list(),
    ("GET", "/_control/cos/objects"): lambda state, model, body: state.cos.object_list(),
    ("GET", "/_control/cos/sessions"): lambda state, model, body: state.cos.session_list(),
    ("GET", "/_control/cos/fault"): lambda state, model, body: {"fault":
                                                                state.cos.get_fault()},
    ("POST", "/_control/cos/fault"): _set_fault,
}
