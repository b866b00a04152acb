"""Per-account, per-action request quotas in one-second windows.

The quota of an action is config `rate_limits[action]` if named there, else
config `rate_limit`; 0 means unlimited. Windows are either "fixed" (the
server clock's whole seconds, floor(server time)) or "sliding" (the last
second, on the monotonic clock). Only admitted calls use quota. Not
thread-safe by itself: State calls it under its lock.
"""
import collections
import math


class Quota:
    def __init__(self):
        self.fixed = {}     # (secret_id, action) -> [second, admitted count]
        self.sliding = {}   # (secret_id, action) -> deque of admitted times
        self.throttled = collections.Counter()   # action -> refused calls

    def admit(self, config, secret_id, action, server_now, mono_now):
        limit = config["rate_limits"].get(action, config["rate_limit"])
        if not limit:
            return True
        key = (secret_id, action)
        if config["rate_mode"] == "fixed":
            second = math.floor(server_now)
            window = self.fixed.get(key)
            if window is None or window[0] != second:
                window = self.fixed[key] = [second, 0]
            ok = window[1] < limit
            if ok:
                window[1] += 1
        else:
            window = self.sliding.setdefault(key, collections.deque())
            while window and mono_now - window[0] >= 1.0:
                window.popleft()
            ok = len(window) < limit
            if ok:
                window.append(mono_now)
        if not ok:
            self.throttled[action] += 1
        return ok
