#!/usr/bin/env python3
"""How fast the fake COS takes a multipart upload (a measurement, not a test).

    python3 spec/fake_vod/bench_cos.py [SIZE_MIB [PART_MIB [PARALLEL]]]

Starts the fake, applies for an upload, and sends SIZE_MIB (default 1024) in
parts of PART_MIB (default 8), PARALLEL (default 4) at a time, each part with
Content-MD5, straight from a file with sendfile, so the sender costs next to
nothing and the time is the fake's: reading, MD5, CRC-64, writing to disk.
Prints MB/s for the parts (wall clock, and per CPU second of the fake, which
does not depend on what else runs on the machine) and the Complete's time.
"""
import base64
import hashlib
import os
import socket
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
from selftest_client import Client, FakeServer                       # noqa: E402
from selftest_cos_client import CosClient                           # noqa: E402


def put_part(cos, upload_id, number, path, offset, size, md5):
    target, hdrs = cos.build("PUT", params=[("partNumber", str(number)),
                                            ("uploadId", upload_id)],
                             headers={"Content-Length": str(size), "Content-MD5": md5})
    head = "PUT %s HTTP/1.1\r\n%s\r\n" % (target, "".join("%s: %s\r\n" % kv
                                                          for kv in hdrs.items()))
    with socket.create_connection(("127.0.0.1", cos.port), timeout=120) as s, \
            open(path, "rb") as f:
        s.sendall(head.encode())
        s.sendfile(f, offset, size)
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = s.recv(4096)
            if not data:
                break
            reply += data
    if not reply.startswith(b"HTTP/1.1 200"):
        raise RuntimeError("part %d: %r" % (number, reply[:300]))
    return reply.split(b'ETag: "', 1)[1].split(b'"', 1)[0].decode()


def cpu_seconds(pid):
    """User + system CPU time of a process (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    size = int(sys.argv[1]) << 20 if len(sys.argv) > 1 else 1 << 30
    part = int(sys.argv[2]) << 20 if len(sys.argv) > 2 else 8 << 20
    parallel = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    fd, path = tempfile.mkstemp(prefix="fake_cos_bench_")
    block = os.urandom(1 << 20)
    with os.fdopen(fd, "wb") as f:
        for _ in range(size >> 20):
            f.write(block)
    srv = FakeServer()
    try:
        c = Client(srv)
        c.reset(rate_limit=0)
        answer = c.call("ApplyUpload", {"MediaType": "mp4"})[2]["Response"]
        cos = CosClient(srv, answer)
        _, upload_id = cos.initiate()
        numbers = list(range(1, (size + part - 1) // part + 1))
        md5s = {}
        for n in numbers:       # the sender's MD5s, before the clock starts
            with open(path, "rb") as f:
                f.seek((n - 1) * part)
                md5s[n] = base64.b64encode(hashlib.md5(f.read(part)).digest()).decode()
        etags, lock = {}, threading.Lock()

        def worker():
            while True:
                with lock:
                    if not numbers:
                        return
                    n = numbers.pop(0)
                offset = (n - 1) * part
                etags[n] = put_part(cos, upload_id, n, path, offset,
                                    min(part, size - offset), md5s[n])
        cpu0 = cpu_seconds(srv.proc.pid)
        t0 = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(parallel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t1 = time.monotonic()
        cpu1 = cpu_seconds(srv.proc.pid)
        r = cos.complete(upload_id, sorted(etags.items()))
        t2 = time.monotonic()
        print("parts: %d MiB in %d parts of %d MiB, %d in parallel: %.2f s, %.0f MB/s"
              % (size >> 20, len(etags), part >> 20, parallel, t1 - t0,
                 size / 1e6 / (t1 - t0)))
        print("the fake's CPU for the parts: %.2f s, %.0f MB per CPU second (load "
              "average %.1f)" % (cpu1 - cpu0, size / 1e6 / (cpu1 - cpu0), os.getloadavg()[0]))
        print("Complete: %.3f s, status %d, x-cos-hash-crc64ecma %s"
              % (t2 - t1, r.status, r.headers.get("x-cos-hash-crc64ecma")))
    finally:
        srv.stop()
        os.unlink(path)


if __name__ == "__main__":
    main()
