"""The unsigned control API under /_control/ (JSON in, JSON out)."""
import json
import uuid

import actions
import cos_control
import faults
import pipeline
from apierror import ApiError
from state import DEFAULT_CONFIG

MAX_SYNTHETIC = 100000      # events one POST /_control/events may add


class ControlError(Exception):
    pass


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_seconds(v, low=0, high=3600):
    return _is_number(v) and low <= v <= high


CONFIG_CHECKS = {
    "task_mode": lambda v, model: v in ("success", "fail", "abort"),
    "processing_polls": lambda v, model: _is_count(v),
    "rate_limit": lambda v, model: _is_count(v),
    "rate_limits": lambda v, model: isinstance(v, dict) and all(
        model.has_action(k) and _is_count(n) for k, n in v.items()),
    "rate_mode": lambda v, model: v in ("fixed", "sliding"),
    "clock_offset": lambda v, model: _is_number(v),
    "chunked": lambda v, model: isinstance(v, bool),
    "subject_seconds": lambda v, model: v is None or _is_seconds(v),
    "video_seconds": lambda v, model: _is_seconds(v),
    "pull_wait": lambda v, model: _is_seconds(v, 0, 60),
    "confirm_window": lambda v, model: _is_seconds(v, 0.001),
    "upload_session_seconds": lambda v, model: _is_seconds(v, 0, 7 * 86400),
    "cos_clock_offset": lambda v, model: _is_number(v),
}
FAULT_PARAM_CHECKS = {
    "seconds": lambda v: _is_number(v) and 0 <= v <= 3600,
    "size": _is_count,
    "depth": lambda v: _is_count(v) and v >= 1,
    "action": lambda v: isinstance(v, str) and v != "",
    "probability": lambda v: _is_number(v) and 0 < v <= 1,
}


def _object(body):
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        raise ControlError("body is not valid JSON")
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _config(state, model, body):
    data = _object(body)
    for key, value in data.items():
        check = CONFIG_CHECKS.get(key)
        if check is None:
            raise ControlError("unknown config key `%s` (known: %s)"
                               % (key, ", ".join(DEFAULT_CONFIG)))
        if not check(value, model):
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
    fault.update(faults.COMMON_PARAMS)
    fault.update(faults.PARAMS.get(mode, {}))
    for key, value in data.items():
        if key in ("mode", "count"):
            continue
        if key not in faults.PARAMS.get(mode, {}) and key not in faults.COMMON_PARAMS:
            raise ControlError("fault mode `%s` takes no parameter `%s`" % (mode, key))
        if not FAULT_PARAM_CHECKS[key](value):
            raise ControlError("bad value for `%s`: %r" % (key, value))
        fault[key] = value
    return fault


def _fault(state, model, body):
    fault = parse_fault(_object(body))
    state.set_fault(fault)
    return {"ok": True, "fault": fault}


def _reset(state, model, body):
    state.reset()
    return {"ok": True}


def _add_events(state, model, body):
    """Synthetic events: {"count", "SubAppId", "EventType", "event"}."""
    data = _object(body)
    unknown = set(data) - {"count", "SubAppId", "EventType", "event"}
    if unknown:
        raise ControlError("unknown key(s) %s" % ", ".join(sorted(unknown)))
    count = data.get("count", 1)
    if not _is_count(count) or not 1 <= count <= MAX_SYNTHETIC:
        raise ControlError("`count` must be 1..%d" % MAX_SYNTHETIC)
    sub = data.get("SubAppId")
    if sub is not None and not _is_count(sub):
        raise ControlError("`SubAppId` must be a non-negative integer")
    etype = data.get("EventType", pipeline.EVENT_TYPE)
    extra = data.get("event", {})
    if not isinstance(etype, str) or not etype or not isinstance(extra, dict):
        raise ControlError("`EventType` must be a string, `event` an object")
    fields = model.structs["EventContent"]
    unknown = [k for k in extra if k not in fields or k in ("EventHandle", "EventType")]
    if unknown:
        raise ControlError("`event` may hold only EventContent's event fields, not %s"
                           % ", ".join(sorted(unknown)))
    items = []
    for _ in range(count):
        content = {"EventType": etype}
        if etype == pipeline.EVENT_TYPE and "AigcVideoCompleteEvent" not in extra:
            content["AigcVideoCompleteEvent"] = _synthetic_video_task(sub)
        content.update(extra)
        items.append((sub, etype, content))
    return {"ok": True, "ids": state.events.add_many(items)}


def _synthetic_video_task(sub):
    task_id = "%d-%s-%s" % (sub or 0, pipeline.TASK_TYPE, uuid.uuid4().hex)
    return {"TaskId": task_id, "Status": "FINISH", "ErrCode": 0, "ErrCodeExt": "",
            "Message": "SUCCESS", "Progress": 100,
            "Input": {"ModelName": "Vidu", "ModelVersion": "q2", "Prompt": "synthetic"},
            "Output": {"FileInfos": [{"FileUrl": "https://fake-vod.example/aigc/%s.mp4"
                                      % task_id, "FileId": ""}],
                       "ProcedureTaskIds": [], "Usage": {}},
            "SessionId": "", "SessionContext": ""}


def _validate(state, model, body):
    """{"Action", "Params"} -> the model validator's verdict, without a call."""
    data = _object(body)
    action, params = data.get("Action"), data.get("Params", {})
    if not isinstance(action, str) or not model.has_action(action):
        raise ControlError("`Action` must name an action of the model")
    if not isinstance(params, dict):
        raise ControlError("`Params` must be an object")
    try:
        model.validate(action, params)
    except ApiError as e:
        return {"ok": False, "Code": e.code, "Message": e.message}
    return {"ok": True}


def _actions(state, model, body):
    """The actions this fake implements (the model's others: UnsupportedOperation),
    and example requests of some (actions.EXAMPLES)."""
    return {"implemented": sorted(actions.ACTIONS), "examples": actions.EXAMPLES}


ROUTES = {
    ("GET", "/_control/actions"): _actions,
    ("GET", "/_control/stats"): lambda state, model, body: state.stats(),
    ("GET", "/_control/last"): lambda state, model, body: state.last(),
    ("GET", "/_control/requests"): lambda state, model, body: state.recorded(),
    ("GET", "/_control/config"): lambda state, model, body:
        {"config": state.get_config(), "fault": state.get_fault()},
    ("GET", "/_control/tasks"): lambda state, model, body: state.task_list(),
    ("GET", "/_control/lost"): lambda state, model, body: state.lost_answers(),
    ("GET", "/_control/events"): lambda state, model, body: state.events.view(),
    ("POST", "/_control/events"): _add_events,
    ("POST", "/_control/validate"): _validate,
    ("POST", "/_control/reset"): _reset,
    ("POST", "/_control/config"): _config,
    ("POST", "/_control/fault"): _fault,
}
ROUTES.update(cos_control.ROUTES)


def handle(state, model, method, path, body):
    """Return (HTTP status, JSON-serializable object)."""
    route = ROUTES.get((method, path.split("?", 1)[0]))
    if route is None:
        known = sorted("%s %s" % k for k in ROUTES)
        return 404, {"error": "no such control endpoint", "endpoints": known}
    try:
        return 200, route(state, model, body)
    except (ControlError, cos_control.ControlError) as e:
        return 400, {"error": str(e)}
