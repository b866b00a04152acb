"""The API pipeline: common header checks, signature, body, action dispatch.

handle() returns the content of the "Response" object or raises ApiError.
"""
import json
import re
import time
import uuid

import tc3
from apierror import ApiError, new_request_id

API_VERSION = "2018-07-17"
MAX_CLOCK_SKEW = 300
TASK_TYPE = "CreateAigcSubject"
_DIGITS = re.compile(r"[0-9]{1,15}")
_CONTENT_TYPES = ("application/json", "application/json; charset=utf-8")


def handle(app, method, path, headers, body, record):
    _check_method_and_path(method, path)
    action, timestamp = _check_common_headers(headers)
    now = app.state.server_time()
    if abs(now - timestamp) > MAX_CLOCK_SKEW:
        raise ApiError("AuthFailure.SignatureExpire",
                       "X-TC-Timestamp %d is more than %d s away from server time %d"
                       % (timestamp, MAX_CLOCK_SKEW, int(now)))
    secret_id = tc3.verify(
        headers, body, timestamp, app.credentials,
        note=lambda creq: app.state.annotate(record, "canonical_request", creq))
    _check_content_type(headers.get("Content-Type", ""))
    params = _parse_body(body)
    handler = ACTIONS.get(action)
    if handler is None:
        raise ApiError("InvalidAction", "action `%s` is not supported" % action)
    result = handler(app.state, secret_id, params)
    result["RequestId"] = new_request_id()
    return result


# -- common checks ---------------------------------------------------------
def _check_method_and_path(method, path):
    if method == "GET" and path == "/":
        raise ApiError("UnsupportedProtocol", "only POST with a JSON body is supported")
    if method != "POST" or path != "/":
        raise ApiError("InvalidRequest",
                       "expected POST /, got %s %s" % (method, path[:200]))


def _check_common_headers(headers):
    action = headers.get("X-TC-Action")
    if action is None or not action.strip():
        raise ApiError("MissingParameter", "header X-TC-Action is required")
    version = headers.get("X-TC-Version")
    if version is None:
        raise ApiError("MissingParameter", "header X-TC-Version is required")
    if version.strip() != API_VERSION:
        raise ApiError("NoSuchVersion",
                       "X-TC-Version must be %s, got `%s`" % (API_VERSION, version.strip()))
    stamp = headers.get("X-TC-Timestamp")
    if stamp is None:
        raise ApiError("MissingParameter", "header X-TC-Timestamp is required")
    if not _DIGITS.fullmatch(stamp.strip()):
        raise ApiError("InvalidParameter",
                       "X-TC-Timestamp must be UNIX seconds as decimal text, got `%s`"
                       % stamp.strip()[:40])
    if headers.get("Authorization") is None:
        raise ApiError("AuthFailure.InvalidAuthorization", "header Authorization is required")
    return action.strip(), int(stamp.strip())


def _check_content_type(value):
    normalized = re.sub(r"\s*;\s*", "; ", value.strip().lower())
    if normalized not in _CONTENT_TYPES:
        raise ApiError("InvalidRequest",
                       "Content-Type must be application/json or "
                       "application/json; charset=utf-8, got `%s`" % value.strip()[:100])


def _reject_constant(name):
    raise ValueError("JSON constant %s is not allowed" % name)


def _parse_body(body):
    try:
        params = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        params = None
    if not isinstance(params, dict):
        raise ApiError("InvalidParameter",
                       "request body is not valid JSON (a JSON object is required)")
    return params


# -- parameter helpers -----------------------------------------------------
def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _reject_unknown(params, allowed):
    for name in params:
        if name not in allowed:
            raise ApiError("UnknownParameter", "parameter `%s` is not recognized" % name)


def _invalid(name, what):
    return ApiError("InvalidParameter", "parameter `%s` must be %s" % (name, what))


def _opt_sub_app_id(params):
    if "SubAppId" not in params:
        return None
    value = params["SubAppId"]
    if not _is_int(value) or not 0 <= value < 2 ** 64:
        raise ApiError("InvalidParameterValue.SubAppId",
                       "SubAppId must be a non-negative integer")
    return value


def _opt_str(params, name):
    if name not in params:
        return None
    if not isinstance(params[name], str):
        raise _invalid(name, "a string")
    return params[name]


def _opt_str_list(params, name, max_items):
    """An optional list of non-empty strings of at most max_items entries."""
    if name not in params:
        return []
    value = params[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid(name, "an array of non-empty strings")
    if len(value) > max_items:
        raise _invalid(name, "an array of at most %d entries" % max_items)
    return value


def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else ""


# -- CreateAigcSubject -----------------------------------------------------
CREATE_PARAMS = ("SubAppId", "SubjectName", "SubjectImages", "SubjectVideos",
                 "VoiceId", "SessionId", "SessionContext", "TasksPriority")


def _validate_create(params):
    _reject_unknown(params, CREATE_PARAMS)
    p = {"sub_app_id": _opt_sub_app_id(params),
         "name": _opt_str(params, "SubjectName"),
         "images": _opt_str_list(params, "SubjectImages", 3),
         "videos": _opt_str_list(params, "SubjectVideos", 1),
         "voice": _opt_str(params, "VoiceId"),
         "session_id": _opt_str(params, "SessionId"),
         "session_context": _opt_str(params, "SessionContext")}
    if not p["images"] and not p["videos"]:
        raise ApiError("InvalidParameter",
                       "one of `SubjectImages` or `SubjectVideos` must be non-empty")
    if p["session_id"] is not None and len(p["session_id"]) > 50:
        raise ApiError("InvalidParameterValue.SessionIdTooLong",
                       "SessionId is longer than 50 characters")
    if p["session_context"] is not None and len(p["session_context"]) > 1000:
        raise ApiError("InvalidParameterValue.SessionContextTooLong",
                       "SessionContext is longer than 1000 characters")
    prio = params.get("TasksPriority", 0)
    if not _is_int(prio) or not -10 <= prio <= 10:
        raise _invalid("TasksPriority", "an integer in -10..10")
    p["priority"] = prio
    return p


def _outcome(name, config):
    """success|fail|abort, fixed at creation: name prefix first, then config."""
    if name and name.startswith("fail-"):
        return "fail"
    if name and name.startswith("abort-"):
        return "abort"
    return config["task_mode"]


def create_aigc_subject(state, secret_id, params):
    # Throttling comes first, like a gateway: invalid calls use quota too.
    if not state.admit(secret_id):
        raise ApiError("RequestLimitExceeded",
                       "CreateAigcSubject is limited per second per SecretId")
    p = _validate_create(params)
    config = state.get_config()
    now = state.server_time()
    task = dict(p)
    task.update({
        "task_id": "%d-CreateAigcSubject-%s" % (p["sub_app_id"] or 0, uuid.uuid4().hex),
        "mode": _outcome(p["name"], config),
        "polls_needed": config["processing_polls"], "polls": 0,
        "create_time": now, "begin_time": now, "finish_time": None,
        "subject_id": "subj-" + uuid.uuid4().hex[:24],
    })
    state.add_task(task)  # raises InvalidParameterValue.SessionId on a repeat
    return {"TaskId": task["task_id"]}


# -- DescribeTaskDetail ----------------------------------------------------
def describe_task_detail(state, secret_id, params):
    _reject_unknown(params, ("TaskId", "SubAppId"))
    if "TaskId" not in params:
        raise ApiError("MissingParameter", "parameter `TaskId` is required")
    task_id = _opt_str(params, "TaskId")
    sub_app_id = _opt_sub_app_id(params)
    task = state.poll_task(task_id, sub_app_id)
    if task is None:
        raise ApiError("InvalidParameterValue.TaskId", "task not found")
    return _task_detail(task)


def _task_result(task):
    """(top Status, sub Status, ErrCode, ErrCodeExt, Message, Output)."""
    empty = {"SubjectId": "", "SubjectInfo": ""}
    if task["polls"] <= task["polls_needed"]:
        return "PROCESSING", "PROCESSING", 0, "", "", empty
    if task["mode"] == "fail":
        return ("FINISH", "FINISH", 30010, "FailedOperation.SubjectImageInvalid",
                "reference image could not be processed", empty)
    if task["mode"] == "abort":
        return ("ABORTED", "FINISH", 30011, "FailedOperation.TaskAborted",
                "task aborted", empty)
    info = "fake subject %r from %d image(s) and %d video(s)" % (
        task["name"] or "", len(task["images"]), len(task["videos"]))
    return ("FINISH", "FINISH", 0, "", "SUCCESS",
            {"SubjectId": task["subject_id"], "SubjectInfo": info})


def _task_detail(task):
    top, sub, code, ext, message, output = _task_result(task)
    return {
        "TaskType": TASK_TYPE, "Status": top,
        "CreateTime": _iso(task["create_time"]),
        "BeginProcessTime": _iso(task["begin_time"]),
        "FinishTime": _iso(task["finish_time"]),
        "CreateAigcSubjectTask": {
            "TaskId": task["task_id"], "Status": sub, "ErrCode": code,
            "ErrCodeExt": ext, "Message": message,
            "Input": {"SubjectName": task["name"] or "",
                      "SubjectImages": list(task["images"]),
                      "SubjectVideos": list(task["videos"]),
                      "VoiceId": task["voice"] or ""},
            "Output": output,
            "SessionId": task["session_id"] or "",
            "SessionContext": task["session_context"] or "",
        },
    }


ACTIONS = {"CreateAigcSubject": create_aigc_subject,
           "DescribeTaskDetail": describe_task_detail}
