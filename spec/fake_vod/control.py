"""The unsigned control API under /_control/ (JSON in, JSON out)."""
import json

import faults
from state import DEFAULT_CONFIG


class ControlError(Exception):
    pass


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


CONFIG_CHECKS = {
    "task_mode": lambda v: v in ("success", "fail", "abort"),
    "processing_polls": _is_count,
    "rate_limit": _is_count,
    "clock_offset": _is_number,
    "chunked": lambda v: isinstance(v, bool),
}
FAULT_PARAM_CHECKS = {
    "seconds": lambda v: _is_number(v) and 0 <= v <= 3600,
    "size": _is_count,
    "depth": lambda v: _is_count(v) and v >= 1,
}


def _object(body):
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        raise ControlError("body is not valid JSON")
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _config(state, body):
    data = _object(body)
    for key, value in data.items():
        check = CONFIG_CHECKS.get(key)
        if check is None:
            raise ControlError("unknown config key `%s` (known: %s)"
                               % (key, ", ".join(DEFAULT_CONFIG)))
        if not check(value):
            raise ControlError("bad value for `%s`: %r" % (key, value))
    return {"ok": True, "config": state.update_config(data)}


def parse_fault(data):
    """Validated fault dict, or None for mode "none"."""
    mode = data.get("mode")
    if mode not in faults.MODES:
        raise ControlError("unknown fault mode %r (known: %s)"
                           % (mode, ", ".join(sorted(faults.MODES))))
    if mode == "none":
        return None
    count = data.get("count", -1)
    if not isinstance(count, int) or isinstance(count, bool) or not (count == -1 or count >= 1):
        raise ControlError("`count` must be -1 (until cleared) or >= 1")
    fault = {"mode": mode, "count": count}
    fault.update(faults.PARAMS.get(mode, {}))
    for key, value in data.items():
        if key in ("mode", "count"):
            continue
        if key not in faults.PARAMS.get(mode, {}):
            raise ControlError("fault mode `%s` takes no parameter `%s`" % (mode, key))
        if not FAULT_PARAM_CHECKS[key](value):
            raise ControlError("bad value for `%s`: %r" % (key, value))
        fault[key] = value
    return fault


def _fault(state, body):
    fault = parse_fault(_object(body))
    state.set_fault(fault)
    return {"ok": True, "fault": fault}


def _reset(state, body):
    state.reset()
    return {"ok": True}


ROUTES = {
    ("GET", "/_control/stats"): lambda state, body: state.stats(),
    ("GET", "/_control/last"): lambda state, body: state.last(),
    ("GET", "/_control/requests"): lambda state, body: state.recorded(),
    ("GET", "/_control/config"):
        lambda state, body: {"config": state.get_config(), "fault": state.get_fault()},
    ("POST", "/_control/reset"): _reset,
    ("POST", "/_control/config"): _config,
    ("POST", "/_control/fault"): _fault,
}


def handle(state, method, path, body):
    """Return (HTTP status, JSON-serializable object)."""
    route = ROUTES.get((method, path.split("?", 1)[0]))
    if route is None:
        known = sorted("%s %s" % k for k in ROUTES)
        return 404, {"error": "no such control endpoint", "endpoints": known}
    try:
        return 200, route(state, body)
    except ControlError as e:
        return 400, {"error": str(e)}
