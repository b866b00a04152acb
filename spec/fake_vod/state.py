"""Shared state of the fake endpoint: config, faults, tasks, counters, records.

One instance is shared by all four listeners; every method takes the lock only
for a short, non-blocking critical section (never sleeps while holding it).
"""
import collections
import threading
import time

from apierror import ApiError

DEFAULT_CONFIG = {
    "task_mode": "success",   # outcome of tasks created from now on
    "processing_polls": 2,    # DescribeTaskDetail calls answered PROCESSING
    "rate_limit": 20,         # CreateAigcSubject per second per SecretId, 0 = off
    "clock_offset": 0,        # seconds added to time.time() for "server time"
    "chunked": False,         # API responses with Transfer-Encoding: chunked
}
SESSION_TTL = 3 * 86400       # SessionId de-duplication window (server time)
MAX_RECORDS = 5000            # recorded API requests kept (oldest dropped)


class State:
    def __init__(self):
        self._lock = threading.Lock()
        self._clear()

    def _clear(self):
        self.config = dict(DEFAULT_CONFIG)
        self.fault = None
        self.tasks = {}
        self.sessions = {}        # SessionId -> server time first used
        self.windows = {}         # SecretId -> deque of admitted monotonic times
        self.records = collections.deque(maxlen=MAX_RECORDS)
        self.conn_ids = set()     # connections that carried an API request
        self.requests = 0
        self.actions = collections.Counter()
        self.errors = collections.Counter()
        self.tasks_created = 0

    def reset(self):
        with self._lock:
            self._clear()

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

    def set_fault(self, fault):
        with self._lock:
            self.fault = fault

    def get_fault(self):
        with self._lock:
            return dict(self.fault) if self.fault else None

    def take_fault(self):
        """The fault to apply to the current API request (consumes one count)."""
        with self._lock:
            fault = self.fault
            if fault is None:
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

    def admit(self, secret_id):
        """Sliding 1-second window rate limiter; only admitted calls count."""
        now = time.monotonic()
        with self._lock:
            limit = self.config["rate_limit"]
            if not limit:
                return True
            window = self.windows.setdefault(secret_id, collections.deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True

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
            self.tasks_created += 1

    def poll_task(self, task_id, sub_app_id=None):
        """Count one DescribeTaskDetail poll; return a snapshot or None.

        A task created with a SubAppId is invisible to a query naming another.
        """
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None or None not in (sub_app_id, task["sub_app_id"]) \
                    and sub_app_id != task["sub_app_id"]:
                return None
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
                    "errors": dict(self.errors)}

    def recorded(self):
        with self._lock:
            return [dict(r) for r in self.records]

    def last(self):
        with self._lock:
            return dict(self.records[-1]) if self.records else {}
