"""The reliable-notification (PULL mode) event queue, on the monotonic clock.

An event is visible, in_flight (pulled, handle valid for confirm_window
seconds) or confirmed. A pull takes up to 16 visible events of one SubAppId
(None = events without a SubAppId), in the order they became visible, gives
each a fresh handle and puts it in flight. An in-flight event not confirmed
in time becomes visible again (appended) and its handle expires; its next
delivery counts as a redelivery. Events of video tasks are scheduled for a
future time and become visible when it comes (lazily, at the next look at
the queue; a waiting pull wakes up for it).

Thread-safe: one lock, and a condition that waiting pulls sleep on.
"""
import collections
import heapq
import itertools
import threading
import time
import uuid

MAX_PULL = 16


class EventQueue:
    def __init__(self):
        self._cond = threading.Condition(threading.Lock())
        self._clear()

    def _clear(self):
        self.events = {}         # id -> event dict
        self.visible = collections.defaultdict(collections.OrderedDict)  # sub -> {id: None}
        self.flight = []         # heap (deadline, id, handle), stale entries skipped
        self.pending = []        # heap (due, seq, sub_app_id, event_type, factory)
        self.handles = {}        # handle -> (state: current|expired|confirmed, id)
        self.ids = itertools.count(1)
        self.seq = itertools.count()
        self.counts = collections.Counter()   # visible, in_flight, confirmed, redelivered

    def clear(self):
        with self._cond:
            self._clear()
            self._cond.notify_all()

    # -- adding ---------------------------------------------------------------
    def add(self, sub_app_id, event_type, content):
        """Enqueue a visible event now; content is EventContent without handle."""
        with self._cond:
            eid = self._add(sub_app_id, event_type, content)
            self._cond.notify_all()
            return eid

    def add_many(self, items):
        with self._cond:
            ids = [self._add(*item) for item in items]
            self._cond.notify_all()
            return ids

    def schedule(self, due, sub_app_id, event_type, factory):
        """Make factory()'s content an event at monotonic time `due`."""
        with self._cond:
            heapq.heappush(self.pending, (due, next(self.seq), sub_app_id,
                                          event_type, factory))
            self._cond.notify_all()

    def _add(self, sub_app_id, event_type, content):
        eid = next(self.ids)
        self.events[eid] = {"id": eid, "sub_app_id": sub_app_id,
                            "event_type": event_type, "content": content,
                            "state": "visible", "deliveries": 0, "handle": None,
                            "deadline": None}
        self.visible[sub_app_id][eid] = None
        self.counts["visible"] += 1
        return eid

    # -- time passing ---------------------------------------------------------
    def _advance(self, now):
        """Due scheduled events become visible; overdue in-flight ones too."""
        while self.pending and self.pending[0][0] <= now:
            _, _, sub, etype, factory = heapq.heappop(self.pending)
            self._add(sub, etype, factory())
        while self.flight and self.flight[0][0] <= now:
            _, eid, handle = heapq.heappop(self.flight)
            ev = self.events.get(eid)
            if ev is None or ev["state"] != "in_flight" or ev["handle"] != handle:
                continue
            self.handles[handle] = ("expired", eid)
            ev.update(state="visible", deadline=None)
            self.visible[ev["sub_app_id"]][eid] = None
            self.counts["in_flight"] -= 1
            self.counts["visible"] += 1

    def _next_change(self):
        times = [h[0][0] for h in (self.pending, self.flight) if h]
        return min(times) if times else None

    # -- the two actions ------------------------------------------------------
    def pull(self, sub_app_id, wait, confirm_window):
        """Up to 16 events (EventContent + EventHandle), waiting up to `wait` s."""
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                now = time.monotonic()
                self._advance(now)
                queue = self.visible.get(sub_app_id)
                if queue:
                    return self._deliver(queue, now, confirm_window)
                if now >= deadline:
                    return []
                until = deadline
                change = self._next_change()
                if change is not None:
                    until = min(until, change)
                self._cond.wait(max(0.0, until - now) + 0.001)

    def _deliver(self, queue, now, confirm_window):
        out = []
        while queue and len(out) < MAX_PULL:
            eid, _ = queue.popitem(last=False)
            ev = self.events[eid]
            if ev["deliveries"]:
                self.counts["redelivered"] += 1
            handle = uuid.uuid4().hex
            ev.update(state="in_flight", handle=handle, deadline=now + confirm_window)
            ev["deliveries"] += 1
            self.handles[handle] = ("current", eid)
            heapq.heappush(self.flight, (ev["deadline"], eid, handle))
            self.counts["visible"] -= 1
            self.counts["in_flight"] += 1
            item = dict(ev["content"])
            item["EventHandle"] = handle
            out.append(item)
        return out

    def confirm(self, handles, sub_app_id):
        """All or nothing: the first bad handle is reported, nothing confirmed.

        Returns None on success, else (index, handle, reason)."""
        with self._cond:
            self._advance(time.monotonic())
            for i, handle in enumerate(handles):
                state, eid = self.handles.get(handle, (None, None))
                if state is None or self.events[eid]["sub_app_id"] != sub_app_id:
                    return i, handle, "is not known"
                if state == "expired":
                    return i, handle, ("has expired: it was not confirmed in time and "
                                       "its event is delivered again with a new handle")
                if state == "confirmed":
                    return i, handle, "was already confirmed"
            for handle in handles:
                state, eid = self.handles[handle]
                if state != "current":      # a repeat within this call
                    continue
                self.handles[handle] = ("confirmed", eid)
                self.events[eid].update(state="confirmed", deadline=None)
                self.counts["in_flight"] -= 1
                self.counts["confirmed"] += 1
            return None

    # -- control view ---------------------------------------------------------
    def view(self):
        with self._cond:
            self._advance(time.monotonic())
            return {"visible": self.counts["visible"],
                    "in_flight": self.counts["in_flight"],
                    "confirmed": self.counts["confirmed"],
                    "redelivered": self.counts["redelivered"],
                    "events": [{"id": ev["id"], "sub_app_id": ev["sub_app_id"],
                                "event_type": ev["event_type"], "state": ev["state"],
                                "deliveries": ev["deliveries"],
                                "handle": ev["handle"] if ev["state"] != "visible" else None}
                               for ev in self.events.values()]}
