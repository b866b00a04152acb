"""Answers in the API's shape: every member of the output structure, null where unknown.

The real API answers with every member its output structure lists, `null`
where a member does not apply: DescribeTaskDetail names the field of every
task type and fills only the one of the task's TaskType; an EventContent
names every event's field and fills only its EventType's; a MediaMetaData
the service could not measure has `"Rotate": null`. The handlers here build
only what they know; fill() completes an answer from the model that model.py
loaded, so a client tested against this fake meets the production shape.

fill(model, struct, value) returns a copy of `value` (a dict of structure
`struct`) that has every member of the structure, in the model's order:
  * a member the value lacks (or holds as None) is None (JSON null);
  * a dict member of an object type, and each dict item of a list of objects,
    is filled the same way, at every depth;
  * every other value is kept exactly as it is (scalars, lists of scalars,
    an empty list), and so are members the model does not list (they come
    after, in the value's order): fill adds, it never drops or changes.
`value` itself is never modified (handlers echo stored request parameters).

answer(model, action, result) fills a successful answer of `action` (the
content of "Response", RequestId included) from the action's output structure.
actions.handle() calls it for every handler's answer; a handler added to
actions.ACTIONS needs nothing more. Other code (a COS side, a helper that
renders a structure kept elsewhere) can call fill() with any structure name.
"""


def fill(model, struct, value):
    members = model.structs[struct]
    out = {}
    for name, member in members.items():
        out[name] = _member(model, member, value.get(name))
    for name, v in value.items():
        if name not in members:
            out[name] = v
    return out


def _member(model, member, v):
    kind = member["member"]
    if v is None or kind not in model.structs:
        return v
    if member["type"] == "list" and isinstance(v, list):
        return [fill(model, kind, item) if isinstance(item, dict) else item for item in v]
    if isinstance(v, dict):
        return fill(model, kind, v)
    return v


def answer(model, action, result):
    return fill(model, model.outputs[action], result)
