"""PullEvents and ConfirmEvents: reliable notification in PULL mode (events.py).

Both run after the model's validation. The SubAppId of a request selects the
events of that application; without one, the events that have no SubAppId.
"""
from apierror import ApiError

MAX_HANDLES = 16


def pull_events(state, secret_id, params):
    """Holds up to config pull_wait seconds while no event is ready."""
    config = state.get_config()
    events = state.events.pull(params.get("SubAppId"), config["pull_wait"],
                               config["confirm_window"])
    return {"EventSet": events}


def confirm_events(state, secret_id, params):
    """All-or-nothing: with one bad handle, none of the call's is confirmed."""
    handles = params["EventHandles"]
    if not 1 <= len(handles) <= MAX_HANDLES:
        raise ApiError("InvalidParameterValue",
                       "EventHandles must hold 1 to %d handles, got %d"
                       % (MAX_HANDLES, len(handles)))
    bad = state.events.confirm(handles, params.get("SubAppId"))
    if bad is not None:
        i, handle, reason = bad
        raise ApiError("InvalidParameterValue",
                       "EventHandles[%d] `%s` %s" % (i, handle, reason))
    return {}
