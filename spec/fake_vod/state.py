"""Shared state of the fake endpoint: config, faults, tasks, counters, records.

One instance is shared by all four listeners; every method takes the lock only
for a short, non-blocking critical section (never sleeps while holding it).
The event queue (events.py) has its own lock, so a waiting PullEvents never
holds this one.
"""
import collections
import copy
import json
import random
import threading
import time

from apierror import ApiError
from events import EventQueue
from quota import Quota

DEFAULT_CONFIG = {
    "task_mode": "success",   # outcome of tasks created from now on
    "processing_polls": 2,    # DescribeTaskDetail calls answered PROCESSING
    "rate_limit": 20,         # calls per second per SecretId and action, 0 = off
    "rate_limits": {},        # {Action: N} overrides rate_limit (0 = unlimited)
    "rate_mode": "fixed",     # "fixed" (whole seconds of server time) | "sliding"
    "clock_offset": 0,        # seconds added to time.time() for "server time"
    "chunked": False,         # API responses with Transfer-Encoding: chunked
    "subject_seconds": None,  # None: subjects finish by polls; N: N s after creation
    "video_seconds": 1.0,     # video tasks finish this long after creation
    "pull_wait": 5.0,         # PullEvents holds an empty answer up to this long
    "confirm_window": 30.0,   # a pulled event unconfirmed this long is redelivered
    "upload_session_seconds": 3600,  # ApplyUpload: credentials valid this long
    "cos_clock_offset": 0,    # seconds added to time.time() for the COS clock
}
SESSION_TTL = 3 * 86400       # SessionId de-duplication window (server time)
MAX_RECORDS = 5000            # recorded API requests kept (oldest dropped)


class State:
    def __init__(self):
        self._lock = threading.Lock()
        self.events = EventQueue()
        self.cos = None           # the fake COS and upload sessions (cos_store.py)
        self.media_base = ""      # where objects are served back: http://host:port/media/
        self._clear()

    def _clear(self):
        self.config = copy.deepcopy(DEFAULT_CONFIG)
        self.fault = None
        self.tasks = {}           # TaskId -> task (insertion order = creation order)
        self.subjects = {}        # SubjectId -> TaskId
        self.sessions = {}        # SessionId -> server time first used
        self.quota = Quota()
        self.lost = []            # answers dropped by the lose_answer fault
        self.records = collections.deque(maxlen=MAX_RECORDS)
        self.conn_ids = set()     # connections that carried an API request
        self.requests = 0
        self.actions = collections.Counter()
        self.errors = collections.Counter()
        self.tasks_created = 0

    def reset(self):
        with self._lock:
            self._clear()
        self.events.clear()
        if self.cos is not None:
            self.cos.clear()

    # -- config and faults -------------------------------------------------
    def get_config(self):
        with self._lock:
            return dict(self.config)

    def update_config(self, patch):
        with self._lock:
            self.config.update(patch)
            return dict(self.config)

    def server_time(self):
        return time.time() + self.config["clock_offset"]

    def cos_time(self):
        return time.time() + self.config["cos_clock_offset"]

    def set_fault(self, fault):
        with self._lock:
            self.fault = fault

    def get_fault(self):
        with self._lock:
            return dict(self.fault) if self.fault else None

    def take_fault(self, action):
        """The fault to apply to the current API request (consumes one count).

        A fault with an `action` only affects requests of that X-TC-Action; one
        with a `probability` affects each matching request with that chance.
        """
        with self._lock:
            fault = self.fault
            if fault is None:
                return None
            if fault.get("action") is not None and fault["action"] != action:
                return None
            if fault.get("probability", 1) < 1 and random.random() >= fault["probability"]:
                return None
            if fault["count"] > 0:
                fault["count"] -= 1
                if fault["count"] == 0:
                    self.fault = None
            return dict(fault)

    # -- accounting --------------------------------------------------------
    def record_request(self, conn_id, action, method, path, headers, body):
        record = {"action": action, "method": method, "path": path,
                  "headers": headers,
                  "body": body.decode("utf-8", "replace"),
                  "session_id": session_id_of(body),
                  "canonical_request": None, "time": time.time()}
        with self._lock:
            self.conn_ids.add(conn_id)
            self.requests += 1
            if action:
                self.actions[action] += 1
            self.records.append(record)
        return record

    def annotate(self, record, key, value):
        with self._lock:
            record[key] = value

    def count_error(self, code):
        with self._lock:
            self.errors[code] += 1

    def admit(self, secret_id, action):
        """The per-account, per-action quota (quota.py); only admitted calls count."""
        with self._lock:
            return self.quota.admit(self.config, secret_id, action,
                                    self.server_time(), time.monotonic())

    def record_lost(self, action, session_id, task_id):
        with self._lock:
            self.lost.append({"action": action, "session_id": session_id,
                              "task_id": task_id, "time": time.time()})

    # -- tasks -------------------------------------------------------------
    def add_task(self, task):
        """Store a new task; reject a SessionId seen in the last 3 days."""
        with self._lock:
            now = self.server_time()
            sid = task["session_id"]
            if sid:
                seen = self.sessions.get(sid)
                if seen is not None and now - seen < SESSION_TTL:
                    raise ApiError("InvalidParameterValue.SessionId",
                                   "SessionId `%s` was already used within 3 days" % sid)
                self.sessions[sid] = now
            self.tasks[task["task_id"]] = task
            if task.get("subject_id"):
                self.subjects[task["subject_id"]] = task["task_id"]
            self.tasks_created += 1

    def subject(self, subject_id):
        """A snapshot of the subject task that made subject_id, or None."""
        with self._lock:
            task = self.tasks.get(self.subjects.get(subject_id))
            return dict(task) if task else None

    def poll_task(self, task_id, sub_app_id=None):
        """Count one DescribeTaskDetail poll; return a snapshot or None.

        A task created with a SubAppId is invisible to a query naming another.
        """
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None or None not in (sub_app_id, task["sub_app_id"]) \
                    and sub_app_id != task["sub_app_id"]:
                return None
            if "polls" in task:
                task["polls"] += 1
                if task["polls"] > task["polls_needed"] and task["finish_time"] is None:
                    task["finish_time"] = self.server_time()
            return dict(task)

    # -- views for the control API -----------------------------------------
    def stats(self):
        with self._lock:
            return {"connections": len(self.conn_ids),
                    "requests": self.requests,
                    "actions": dict(self.actions),
                    "tasks_created": self.tasks_created,
                    "errors": dict(self.errors),
                    "throttled": dict(self.quota.throttled)}

    def task_list(self):
        with self._lock:
            return [{"task_id": t["task_id"], "action": t["action"],
                     "session_id": t["session_id"],
                     "sub_app_id": t["sub_app_id"], "secret_id": t["secret_id"]}
                    for t in self.tasks.values()]

    def lost_answers(self):
        with self._lock:
            return [dict(x) for x in self.lost]

    def recorded(self):
        with self._lock:
            return [dict(r) for r in self.records]

    def last(self):
        with self._lock:
            return dict(self.records[-1]) if self.records else {}


def session_id_of(body):
    """The body's SessionId if it is a JSON object with a string one, else None."""
    if b'SessionId' not in body:
        return None
    try:
        params = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    value = params.get("SessionId") if isinstance(params, dict) else None
    return value if isinstance(value, str) else None
