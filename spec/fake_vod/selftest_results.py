"""Pass/fail bookkeeping shared by the self-test modules."""
import math
import time

from selftest_client import UUID_RE, code


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s %s" % (name, detail), flush=True)
        return cond

    def eq(self, name, got, want):
        return self.check(name, got == want, "got %r, want %r" % (got, want))


R = Results()


def next_second(margin=0.02):
    """Sleep until just after the clock's next whole second (a fixed window)."""
    now = time.time()
    time.sleep(math.floor(now) + 1 - now + margin)


def expect_code(name, result, want):
    r, data, obj = result
    ok = r.status == 200 and code(obj) == want
    R.check(name, ok, "status %s body %s" % (r.status, data[:300]))
    if ok and obj:
        R.check(name + " RequestId", UUID_RE.fullmatch(obj["Response"].get("RequestId", "")),
                str(obj))
    return obj


def expect_conn_error(name, fn, exc_types):
    try:
        r, data, obj = fn()
        R.check(name, False, "no error; status %s body %r" % (r.status, data[:100]))
    except exc_types:
        R.check(name, True)
    except Exception as e:
        R.check(name, False, "unexpected %r" % e)
