"""CreateAigcVideoTask: from finished subjects to a video, finishing by time.

A video task is WAITING for the first 10% of its `video_seconds` (fixed at
creation), then PROCESSING with Progress growing with time, then FINISH
(Progress 100) -- whether or not anyone polls. At FINISH its
AigcVideoTaskComplete event is queued for its SubAppId (events.py). A Prompt
starting with `fail-` makes it finish with an error.
"""
import random
import time
import uuid

from apierror import ApiError
import subjects

TASK_TYPE = "AigcVideoTask"
EVENT_TYPE = "AigcVideoTaskComplete"
WAITING_SHARE = 0.1
FAIL_CODE, FAIL_EXT, FAIL_MESSAGE = (30100, "FailedOperation.GenerateFailed",
                                     "video generation failed")
ECHOED = ("FileInfos", "SubjectInfos", "LastFrameFileId", "LastFrameUrl", "Prompt",
          "NegativePrompt", "EnhancePrompt", "OutputConfig", "InputRegion", "SceneType")


def _check_subjects(state, params):
    """Each SubjectInfos item names (Id) a successful subject of this SubAppId;
    Vidu needs the Name the prompt refers to as [@Name]."""
    mono = time.monotonic()
    for i, info in enumerate(params.get("SubjectInfos", [])):
        where = "SubjectInfos[%d]" % i
        if "Id" not in info:
            raise ApiError("MissingParameter", "parameter `%s.Id` is required" % where)
        if params["ModelName"] == "Vidu" and not info.get("Name"):
            raise ApiError("MissingParameter",
                           "parameter `%s.Name` is required (non-empty) for Vidu" % where)
        task = state.subject(info["Id"])
        if task is None or task["sub_app_id"] != params["SubAppId"] \
                or not subjects.succeeded(task, mono):
            raise ApiError("InvalidParameterValue",
                           "%s.Id `%s` is not a finished subject of SubAppId %d"
                           % (where, info["Id"], params["SubAppId"]))


def create_aigc_video_task(state, secret_id, params):
    """Runs after the model's validation (the types are right)."""
    session_id = params.get("SessionId")
    if len(session_id or "") > 50:
        raise ApiError("InvalidParameterValue.SessionIdTooLong",
                       "SessionId is longer than 50 characters")
    if len(params.get("SessionContext", "")) > 1000:
        raise ApiError("InvalidParameterValue.SessionContextTooLong",
                       "SessionContext is longer than 1000 characters")
    _check_subjects(state, params)
    config = state.get_config()
    sub_app_id = params["SubAppId"]
    task = {
        "task_id": "%d-%s-%s" % (sub_app_id, TASK_TYPE, uuid.uuid4().hex),
        "action": "CreateAigcVideoTask", "secret_id": secret_id,
        "sub_app_id": sub_app_id, "session_id": session_id,
        "params": params, "failed": params.get("Prompt", "").startswith("fail-"),
        "seconds": config["video_seconds"], "created_mono": time.monotonic(),
        "create_time": state.server_time(),
        "file_id": str(5285890000000000000 + random.randrange(10 ** 12)),
    }
    state.add_task(task)  # raises InvalidParameterValue.SessionId on a repeat
    due = task["created_mono"] + task["seconds"]
    state.events.schedule(due, sub_app_id, EVENT_TYPE,
                          lambda: {"EventType": EVENT_TYPE,
                                   "AigcVideoCompleteEvent": video_task(task, due)})
    return {"TaskId": task["task_id"]}


# -- rendering ----------------------------------------------------------------
def _phase(task, mono_now):
    """(Status, Progress, elapsed seconds) at mono_now."""
    elapsed = mono_now - task["created_mono"]
    total = task["seconds"]
    if elapsed >= total - 1e-9:     # (created + total) - created may round down
        return "FINISH", 100, elapsed
    if elapsed < WAITING_SHARE * total:
        return "WAITING", 0, elapsed
    return "PROCESSING", min(99, int(100 * elapsed / total)), elapsed


def _output(task, status):
    output = {"FileInfos": [], "ProcedureTaskIds": [],
              "Usage": {"InputTokens": 0, "ThoughtTokens": 0, "InputImageCount": 0,
                        "InputSeconds": 0, "OutputSeconds": 0, "TotalSeconds": 0}}
    if status != "FINISH" or task["failed"]:
        return output
    config = task["params"].get("OutputConfig", {})
    seconds = int(config.get("Duration", 5))
    output["FileInfos"] = [{
        "StorageMode": config.get("StorageMode", "Temporary"),
        "MediaName": config.get("MediaName", ""), "ClassId": config.get("ClassId", 0),
        "ExpireTime": config.get("ExpireTime", ""), "FileType": "mp4",
        "FileUrl": "https://fake-vod.example/aigc/%s.mp4" % task["task_id"],
        "FileContent": "", "FileId": task["file_id"],
        "MetaData": {"Size": 1048576, "Container": "mp4", "Bitrate": 1677721,
                     "Height": 720, "Width": 1280, "Duration": float(seconds)},
        "UsageType": "",
    }]
    images = sum(len(s.get("ImageUrls", [])) for s in task["params"].get("SubjectInfos", []))
    output["Usage"].update(InputImageCount=images, OutputSeconds=seconds,
                           TotalSeconds=seconds)
    return output


def video_task(task, mono_now):
    """The AigcVideoTask object (DescribeTaskDetail field and event body)."""
    status, progress, _ = _phase(task, mono_now)
    params = task["params"]
    failed = status == "FINISH" and task["failed"]
    task_input = {"ModelName": params["ModelName"], "ModelVersion": params["ModelVersion"],
                  "GenerationMode": ""}
    for name in ECHOED:
        task_input[name] = params.get(name, [] if name.endswith("Infos") else
                                      {} if name == "OutputConfig" else "")
    if "Seed" in params:
        task_input["Seed"] = params["Seed"]
    return {
        "TaskId": task["task_id"], "Status": status,
        "ErrCode": FAIL_CODE if failed else 0, "ErrCodeExt": FAIL_EXT if failed else "",
        "Message": FAIL_MESSAGE if failed else ("SUCCESS" if status == "FINISH" else ""),
        "Progress": progress, "Input": task_input, "Output": _output(task, status),
        "SessionId": task["session_id"] or "", "SessionContext": params.get("SessionContext", ""),
    }


def task_detail(task, mono_now):
    """DescribeTaskDetail's answer for a video task."""
    status, _, elapsed = _phase(task, mono_now)
    begin = WAITING_SHARE * task["seconds"]
    return {
        "TaskType": TASK_TYPE, "Status": status,
        "CreateTime": subjects.iso(task["create_time"]),
        "BeginProcessTime": subjects.iso(task["create_time"] + begin)
        if elapsed >= begin else "",
        "FinishTime": subjects.iso(task["create_time"] + task["seconds"])
        if status == "FINISH" else "",
        TASK_TYPE: video_task(task, mono_now),
    }
