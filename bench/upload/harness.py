#!/usr/bin/env python3
"""The upload benchmark (bench/upload/run.sh runs it; stdlib only).

    python3 bench/upload/harness.py DIR ROOT     (DIR/measure: bench/upload/measure.c built)

Uploads one file of random bytes (1 GiB; BENCH_SCALE shrinks it) to the fake
COS (spec/fake_vod, pinned to CPU 0) through each client in turn, each client
pinned to CPU 1, all against the same endpoint in the same run:

  curl        `curl -T FILE`: one PUT of the whole file, over http to
              cos_http, with the Authorization the harness computed (before
              the clock starts) and x-cos-security-token; no Content-MD5
  node-sdk    the official COS Node.js SDK (cos-nodejs-sdk-v5, pinned in
              bench/upload/node), sliceUploadFile with its defaults
              (bench/upload/cos_node.js)
  node-sdk-8x4  the same with the library's part size and parallelism
              (ChunkSize 8 MiB, ChunkParallelLimit 4)
  library     bench/upload/lib.lua: client:upload{...} with its defaults, on
              Lua 5.4 and on LuaJIT; "not available" when the build has no
              client:upload

For curl and the SDK the harness opens the upload session (ApplyUpload,
TC3-signed here) before starting the client, and commits it (CommitUpload)
after; the library's client:upload does both itself, inside the measurement
(two small API calls). Then the object is checked in the fake's ledger
(GET /_control/cos/objects: its size and MD5 equal the file's) and the
session must be committed, so a broken client cannot look fast.

Measured for the client process alone (bench/upload/measure.c: wait4 of the
child, the kernel's rusage of that process and all its threads): user +
system CPU, peak RSS (ru_maxrss), and the wall time from fork to exit
(process start-up included). The fake's own CPU over the same interval
(/proc/PID/stat) tells whether it set the pace. Writes DIR/upload.json.
BENCH_UPLOAD_ONLY=curl,node-sdk,... runs only the entries named.
"""
import datetime
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

MIB = 1 << 20
SECRET_ID = "AKIDEXAMPLEFAKEVOD0000000000000000"      # the fake's EXAMPLE credentials
SECRET_KEY = "fakeVodSecretKeyEXAMPLE0000000000"
FAKE_CPU, CLIENT_CPU = "0", "1"
PART_SIZE, CONCURRENCY = 8 * MIB, 4    # the library's defaults (client:upload)
# The "small constant" of the memory target (peak RSS < part_size x
# (concurrency + 1) + constant): the Lua process with the library loaded is
# about 9 MB (the "idle" figures), plus room for libcurl's and OpenSSL's
# connections and buffers.
RSS_CONSTANT = 16 * MIB


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# -- the fake endpoint ---------------------------------------------------------
class Fake:
    def __init__(self, root, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        ports = os.path.join(directory, "ports.json")
        if os.path.exists(ports):
            os.unlink(ports)
        self.log = open(os.path.join(directory, "server.log"), "w")
        self.proc = subprocess.Popen(
            ["taskset", "-c", FAKE_CPU, sys.executable,
             os.path.join(root, "spec/fake_vod/server.py"), "--dir", directory,
             "--exit-with-parent"],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(400):
            if os.path.exists(ports):
                break
            if self.proc.poll() is not None:
                raise RuntimeError("the fake endpoint exited: see %s/server.log" % directory)
            time.sleep(0.05)
        else:
            raise RuntimeError("the fake endpoint did not start")
        self.ports = json.load(open(ports))
        self.http, self.cos_http = self.ports["http"], self.ports["cos_http"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def cpu(self):
        """User + system CPU seconds of the fake so far (all its threads)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (self.http, path),
                                     data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.load(r)

    def call(self, action, params):
        """A VOD API call, TC3-HMAC-SHA256 signed (the API 3.0 signature, v3)."""
        payload = json.dumps(params).encode()
        ts = int(time.time())
        date = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")
        ctype, host = "application/json; charset=utf-8", "127.0.0.1"
        creq = "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s" % (
            ctype, host, hashlib.sha256(payload).hexdigest())
        sts = "TC3-HMAC-SHA256\n%d\n%s/vod/tc3_request\n%s" % (
            ts, date, hashlib.sha256(creq.encode()).hexdigest())

        def mac(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()
        key = mac(mac(mac(("TC3" + SECRET_KEY).encode(), date), "vod"), "tc3_request")
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/" % self.http, data=payload, method="POST", headers={
                "Content-Type": ctype, "X-TC-Action": action, "X-TC-Version": "2018-07-17",
                "X-TC-Timestamp": str(ts),
                "Authorization": "TC3-HMAC-SHA256 Credential=%s/%s/vod/tc3_request, "
                                 "SignedHeaders=content-type;host, Signature=%s"
                                 % (SECRET_ID, date, sig)})
        with urllib.request.urlopen(req, timeout=60) as r:
            answer = json.load(r)["Response"]
        if "Error" in answer:
            raise RuntimeError("%s: %s" % (action, answer["Error"]))
        return answer


# -- the COS signature (XML API V5, q-sign-algorithm=sha1) -----------------------
def cos_encode(text):
    return quote(text.encode(), safe="-_.~")


def cos_authorization(cert, method, key, headers, params=(), now=None):
    """Authorization for a request to /<key> (key without its leading "/",
    not encoded) with these headers (all signed) and query parameters; from COS's
    "Request Signature" page, https://cloud.tencent.com/document/product/436/7778."""
    now = int(time.time()) if now is None else now
    key_time = "%d;%d" % (now - 60, min(now + 3600, int(cert["ExpiredTime"])))
    hs = sorted((cos_encode(n).lower(), cos_encode(v)) for n, v in headers.items())
    ps = sorted((cos_encode(n).lower(), cos_encode(v)) for n, v in params)
    http_string = "%s\n/%s\n%s\n%s\n" % (method.lower(), key,
                                         "&".join("%s=%s" % p for p in ps),
                                         "&".join("%s=%s" % h for h in hs))
    sts = "sha1\n%s\n%s\n" % (key_time, hashlib.sha1(http_string.encode()).hexdigest())
    sign_key = hmac.new(cert["SecretKey"].encode(), key_time.encode(), hashlib.sha1).hexdigest()
    sig = hmac.new(sign_key.encode(), sts.encode(), hashlib.sha1).hexdigest()
    return ("q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s&q-key-time=%s&q-header-list=%s"
            "&q-url-param-list=%s&q-signature=%s"
            % (cert["SecretId"], key_time, key_time, ";".join(n for n, _ in hs),
               ";".join(n for n, _ in ps), sig))


# -- measuring a child process -----------------------------------------------------
def measure(fake, measure_bin, argv, env=None, stdout_path=None):
    """Runs argv on CLIENT_CPU through bench/upload/measure.c (wait4 of the
    child: CPU, peak RSS, wall time) and the fake's CPU over the same interval."""
    result = os.path.join(fake.dir, "measure.json")
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = open(stdout_path + ".err", "wb") if stdout_path else subprocess.DEVNULL
    fake_cpu0 = fake.cpu()
    subprocess.run([measure_bin, CLIENT_CPU, result] + argv, env=env, stdout=out, stderr=err)
    fake_cpu = fake.cpu() - fake_cpu0
    for f in (out, err):
        if f is not subprocess.DEVNULL:
            f.close()
    with open(result) as f:
        m = json.load(f)
    os.unlink(result)
    m["cpu_s"] = m["user_s"] + m["sys_s"]
    m["fake_cpu_s"] = fake_cpu
    m["fake_cpu_share"] = fake_cpu / m["wall_s"] if m["wall_s"] > 0 else None
    return m


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def ledger_summary(fake):
    ops = {}
    for r in fake.control("cos/requests"):
        name = r["operation"] or "%s (refused)" % r["method"]
        ops.setdefault(name, {"count": 0, "errors": 0})
        ops[name]["count"] += 1
        if r["status"] != 200 and r["status"] != 204:
            ops[name]["errors"] += 1
    return ops


def verify(fake, size, md5, key=None):
    """The one object in the fake's COS is the file; its session committed."""
    objects = fake.control("cos/objects")
    if key is not None:
        objects = [o for o in objects if o["key"] == key]
    if len(objects) != 1:
        raise RuntimeError("expected one object%s, the fake has %s"
                           % (" at " + key if key else "", [o["key"] for o in objects]))
    obj = objects[0]
    if obj["size"] != size or obj["md5"] != md5:
        raise RuntimeError("the object at %s is not the file: size %d md5 %s (file: %d %s)"
                           % (obj["key"], obj["size"], obj["md5"], size, md5))
    sessions = [s for s in fake.control("cos/sessions") if s["media_key"] == obj["key"]]
    if len(sessions) != 1 or not sessions[0]["committed"]:
        raise RuntimeError("the session of %s was not committed" % obj["key"])
    return obj


# -- the clients ---------------------------------------------------------------------
class Bench:
    def __init__(self, d, root):
        self.dir, self.root = d, root
        self.scale = float(os.environ.get("BENCH_SCALE") or "1")
        self.size = max(16, int(1024 * self.scale)) * MIB
        self.file = os.path.join(d, "upload.mp4")
        self.measure_bin = os.path.join(d, "measure")
        self.results = {}

    def make_file(self):
        if not (os.path.exists(self.file) and os.path.getsize(self.file) == self.size):
            log("   writing %d MiB of random bytes to %s" % (self.size >> 20, self.file))
            with open(self.file + ".tmp", "wb") as f:
                for _ in range(self.size // MIB):
                    f.write(os.urandom(MIB))
            os.replace(self.file + ".tmp", self.file)
        h = hashlib.md5()
        with open(self.file, "rb") as f:        # also brings it into the page cache
            for block in iter(lambda: f.read(MIB), b""):
                h.update(block)
        self.md5 = h.hexdigest()

    def warm(self):
        """The file in the page cache before each client (none reads the disk)."""
        with open(self.file, "rb") as f:
            while f.readinto(bytearray(8 * MIB)):
                pass

    def fresh(self):
        self.fake.control("reset", {})
        self.fake.control("config", {"rate_limit": 0})
        self.warm()

    def session(self):
        answer = self.fake.call("ApplyUpload", {"MediaType": "mp4"})
        return answer, answer["MediaStoragePath"].lstrip("/")

    def finish(self, name, m, answer, key, extra=None):
        if answer is not None:
            self.fake.call("CommitUpload", {"VodSessionKey": answer["VodSessionKey"]})
        obj = verify(self.fake, self.size, self.md5, key)
        m["verified"] = {"key": obj["key"], "size": obj["size"], "md5": obj["md5"],
                         "parts": obj["parts"]}
        m["requests"] = ledger_summary(self.fake)
        m["available"] = True
        gib = self.size / (1 << 30)
        m["cpu_s_per_gib"] = m["cpu_s"] / gib
        m["mib_per_s"] = (self.size / MIB) / m["wall_s"]
        # what the fake could take at most at its CPU cost for this client's requests
        m["fake_mib_per_cpu_s"] = ((self.size / MIB) / m["fake_cpu_s"]
                                   if m["fake_cpu_s"] > 0 else None)
        if extra:
            m.update(extra)
        self.results[name] = m
        log("   %-14s CPU %.2f s (user %.2f + sys %.2f), %.2f s/GiB, %.1f MiB/s, peak RSS "
            "%d KB, the fake's CPU %.0f%% of the wall time"
            % (name, m["cpu_s"], m["user_s"], m["sys_s"], m["cpu_s_per_gib"], m["mib_per_s"],
               m["max_rss_kb"], 100 * m["fake_cpu_share"]))

    def fail(self, name, m, out):
        raise RuntimeError("%s failed (exit %s):\n%s\n%s"
                           % (name, m["status"], read_text(out)[-3000:],
                              read_text(out + ".err")[-3000:]))

    def run_curl(self):
        self.fresh()
        answer, key = self.session()
        cert = answer["TempCertificate"]
        host = "127.0.0.1:%d" % self.fake.cos_http
        signed = {"host": host, "content-length": str(self.size),
                  "x-cos-security-token": cert["Token"]}
        auth = cos_authorization(cert, "PUT", key, signed)
        hdr_file = os.path.join(self.dir, "curl-headers.txt")
        with open(hdr_file, "w") as f:     # -H @file: the secrets stay off the command line
            f.write("Authorization: %s\nx-cos-security-token: %s\n" % (auth, cert["Token"]))
        out = os.path.join(self.dir, "curl.out")
        url = "http://%s/%s" % (host, quote(key, safe="/"))
        m = measure(self.fake, self.measure_bin, ["curl", "-sS", "--fail-with-body",
                                "-T", self.file, "-H", "@" + hdr_file, "-o", "/dev/null",
                                "-w", "%{http_code} %{size_upload}\n", url],
                    stdout_path=out)
        os.unlink(hdr_file)
        if m["status"] != 0:
            self.fail("curl", m, out)
        code, sent = read_text(out).split()
        if code != "200" or int(sent) != self.size:
            raise RuntimeError("curl: status %s, %s bytes sent" % (code, sent))
        version = subprocess.run(["curl", "--version"], capture_output=True,
                                 text=True).stdout.split("\n")[0]
        self.finish("curl", m, answer, key, {"client": version})

    def run_node(self, name, chunk=None, parallel=None):
        self.fresh()
        answer, key = self.session()
        cert = answer["TempCertificate"]
        env = dict(os.environ, NODE_PATH=os.path.join(self.dir, "node", "node_modules"),
                   COS_SECRET_ID=cert["SecretId"], COS_SECRET_KEY=cert["SecretKey"],
                   COS_TOKEN=cert["Token"], COS_BUCKET=answer["StorageBucket"],
                   COS_REGION=answer["StorageRegion"],
                   # as vod-node-sdk passes it: the storage path, leading "/"
                   # included (the SDK drops it)
                   COS_KEY=answer["MediaStoragePath"],
                   COS_DOMAIN="127.0.0.1:%d" % self.fake.cos_http, COS_FILE=self.file,
                   COS_CONF_DIR=os.path.join(self.dir, "node-conf"))
        if chunk:
            env["COS_CHUNK_SIZE"] = str(chunk)
        if parallel:
            env["COS_PARALLEL"] = str(parallel)
        out = os.path.join(self.dir, name + ".out")
        m = measure(self.fake, self.measure_bin, ["node",
                                os.path.join(self.root, "bench/upload/cos_node.js")],
                    env=env, stdout_path=out)
        if m["status"] != 0:
            self.fail(name, m, out)
        report = json.loads(read_text(out))
        self.finish(name, m, answer, key, {"client": report})

    def run_library(self, name, lua, tree, ver):
        self.fresh()
        env = dict(os.environ,
                   LUA_CPATH="%s/build/%s/lib/lua/%s/?.so;;" % (self.root, tree, ver),
                   LUA_PATH="%s/build/%s/share/lua/%s/?.lua;;" % (self.root, tree, ver),
                   BENCH_FAKE_HTTP="127.0.0.1:%d" % self.fake.http,
                   BENCH_COS_HTTP="127.0.0.1:%d" % self.fake.cos_http,
                   BENCH_FILE=self.file)
        out = os.path.join(self.dir, name + ".out")
        m = measure(self.fake, self.measure_bin, [lua,
                                os.path.join(self.root, "bench/upload/lib.lua")],
                    env=env, stdout_path=out)
        text = read_text(out)
        if m["status"] == 3 and '"available":"false"' in text.replace(" ", ""):
            report = json.loads(text)
            self.results[name] = {"available": False, "reason": report["reason"]}
            log("   %-14s not available: %s" % (name, report["reason"]))
            return
        if m["status"] != 0:
            self.fail(name, m, out)
        report = json.loads(text)
        self.finish(name, m, None, None, {"client": report})
        committed = [s["file_id"] for s in self.fake.control("cos/sessions") if s["committed"]]
        if committed != [report["FileId"]]:
            raise RuntimeError("%s: FileId %s, the fake committed %s"
                               % (name, report["FileId"], committed))

    def idle(self):
        """What each client's process costs doing nothing but start (node and
        Lua: loading the SDK / the library)."""
        node_path = os.path.join(self.dir, "node", "node_modules")
        runs = {
            "node": (["node", "-e", "require('cos-nodejs-sdk-v5')"],
                     dict(os.environ, NODE_PATH=node_path)),
            "lua5.4": (["lua5.4", "-e", "require 'tencentcloud.vod'"],
                       dict(os.environ,
                            LUA_CPATH="%s/build/tree54/lib/lua/5.4/?.so;;" % self.root,
                            LUA_PATH="%s/build/tree54/share/lua/5.4/?.lua;;" % self.root)),
            "luajit": (["luajit", "-e", "require 'tencentcloud.vod'"],
                       dict(os.environ,
                            LUA_CPATH="%s/build/treejit/lib/lua/5.1/?.so;;" % self.root,
                            LUA_PATH="%s/build/treejit/share/lua/5.1/?.lua;;" % self.root)),
            "curl": (["curl", "--version"], None),
        }
        out = {}
        for name, (argv, env) in runs.items():
            m = measure(self.fake, self.measure_bin, argv, env=env)
            out[name] = {"cpu_s": m["cpu_s"], "max_rss_kb": m["max_rss_kb"]}
        return out

    def main(self):
        log("   load average before: %.2f %.2f %.2f" % os.getloadavg())
        load0 = os.getloadavg()
        self.make_file()
        self.fake = Fake(self.root, os.path.join(self.dir, "fake"))
        try:
            only = set(filter(None, os.environ.get("BENCH_UPLOAD_ONLY", "").split(",")))

            def wanted(name):
                return not only or name in only
            if wanted("curl"):
                self.run_curl()
            if wanted("node-sdk"):
                self.run_node("node-sdk")
            if wanted("node-sdk-8x4"):
                self.run_node("node-sdk-8x4", PART_SIZE, CONCURRENCY)
            if wanted("library-5.4"):
                self.run_library("library-5.4", "lua5.4", "tree54", "5.4")
            if wanted("library-jit"):
                self.run_library("library-jit", "luajit", "treejit", "5.1")
            idle = self.idle()
            base = {"curl": "curl", "node-sdk": "node", "node-sdk-8x4": "node",
                    "library-5.4": "lua5.4", "library-jit": "luajit"}
            for name, m in self.results.items():
                if m["available"]:
                    # the same, less what the process costs only to start
                    m["cpu_s_per_gib_less_start"] = ((m["cpu_s"] - idle[base[name]]["cpu_s"])
                                                     / (self.size / (1 << 30)))
        finally:
            self.fake.control("reset", {})
            self.fake.stop()
        result = {
            "size_bytes": self.size, "file_md5": self.md5,
            "placement": "fake endpoint (Python) on CPU %s, each client on CPU %s"
                         % (FAKE_CPU, CLIENT_CPU),
            "library_defaults": {"part_size": PART_SIZE, "concurrency": CONCURRENCY},
            "rss_constant_bytes": RSS_CONSTANT,
            "load_average_before": load0, "load_average_after": os.getloadavg(),
            "clients": self.results, "idle": idle,
        }
        log("   load average after: %.2f %.2f %.2f" % os.getloadavg())
        with open(os.path.join(self.dir, "upload.json"), "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    Bench(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])).main()
