"""DescribeTaskDetail: the state of any task this fake created (spec section 4).

Its own parameter checks run before the model's (actions.py), so their
answers stay as they were: UnknownParameter, MissingParameter `TaskId`,
InvalidParameter (TaskId not a string), InvalidParameterValue.SubAppId.
"""
import time

from apierror import ApiError
import pipeline
import subjects


def validate_describe(params):
    for name in params:
        if name not in ("TaskId", "SubAppId"):
            raise ApiError("UnknownParameter", "parameter `%s` is not recognized" % name)
    if "TaskId" not in params:
        raise ApiError("MissingParameter", "parameter `TaskId` is required")
    if not isinstance(params["TaskId"], str):
        raise ApiError("InvalidParameter", "parameter `TaskId` must be a string")
    if "SubAppId" in params:
        value = params["SubAppId"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2 ** 64:
            raise ApiError("InvalidParameterValue.SubAppId",
                           "SubAppId must be a non-negative integer")


def describe_task_detail(state, secret_id, params):
    """A task created with a SubAppId is not found under another SubAppId."""
    task = state.poll_task(params["TaskId"], params.get("SubAppId"))
    if task is None:
        raise ApiError("InvalidParameterValue.TaskId", "task not found")
    now = time.monotonic()
    if task["action"] == "CreateAigcVideoTask":
        return pipeline.task_detail(task, now)
    return subjects.task_detail(task, now)
