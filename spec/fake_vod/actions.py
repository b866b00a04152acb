"""The API pipeline: common header checks, signature, body, action dispatch.

handle() returns the content of the "Response" object or raises ApiError.
Order: method and path, common headers, timestamp, signature, Content-Type,
JSON object body -> action not in the model: InvalidAction -> the quota
(RequestLimitExceeded) -> the action's own parameter checks where it keeps
its historic answers -> the model's validation -> the action's handler, or
UnsupportedOperation for an action the fake does not implement. A handler's
answer is completed to the action's output structure (shape.py): every member
the model lists, null where the handler has no value.
"""
import json
import re

import manifest
import pipeline
import pull
import shape
import subjects
import tasks
import tc3
import uploads
from apierror import ApiError, new_request_id

API_VERSION = "2018-07-17"
MAX_CLOCK_SKEW = 300
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
    if not app.model.has_action(action):
        raise ApiError("InvalidAction", "action `%s` is not supported" % action)
    # Throttling comes first, like a gateway: invalid calls use quota too.
    if not app.state.admit(secret_id, action):
        raise ApiError("RequestLimitExceeded",
                       "%s is limited per second per SecretId" % action)
    precheck, handler = ACTIONS.get(action, (None, None))
    if precheck:
        precheck(params)
    app.model.validate(action, params)
    if handler is None:
        raise ApiError("UnsupportedOperation",
                       "the fake endpoint does not implement %s; the request was "
                       "well-formed" % action)
    result = handler(app.state, secret_id, params)
    result["RequestId"] = new_request_id()
    return shape.answer(app.model, action, result)


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


# Action -> (own checks run before the model's, or None; handler).
ACTIONS = {
    "CreateAigcSubject": (subjects.validate_create, subjects.create_aigc_subject),
    "DescribeTaskDetail": (tasks.validate_describe, tasks.describe_task_detail),
    "CreateAigcVideoTask": (None, pipeline.create_aigc_video_task),
    "PullEvents": (None, pull.pull_events),
    "ConfirmEvents": (None, pull.confirm_events),
    "ApplyUpload": (uploads.validate_sub_app_id, uploads.apply_upload),
    "CommitUpload": (uploads.validate_sub_app_id, uploads.commit_upload),
    "ParseStreamingManifest": (None, manifest.parse_streaming_manifest),
}

# Action -> a request it answers with success on a fresh fake, for a caller that
# drives every implemented action without knowing them (spec/shape_spec.lua,
# through GET /_control/actions): it builds a request from the model (required
# members, values of earlier requests and answers) and lays this over it. An
# action that needs an earlier answer (a TaskId, an EventHandle) needs none here.
EXAMPLES = {
    "CreateAigcSubject": {"SubjectImages": ["https://example.com/hero.png"]},
    "ApplyUpload": {"MediaType": "mp4", "CoverType": "jpg"},
    "ParseStreamingManifest": {"MediaManifestContent": "#EXTM3U\n#EXTINF:4,\nseg-0.ts\n#EXT-X-ENDLIST\n",
                               "ManifestType": "m3u8"},
}
