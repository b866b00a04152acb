"""The fake COS's state: upload sessions, objects, multipart uploads, ledger.

Bytes live on disk under <--dir>/cos/data, one file per PUT body or part
(an object made by Complete keeps its parts' files, in order: nothing is
copied). Metadata lives here, under one lock taken only for short,
non-blocking sections; file I/O happens outside it. Every change carries the
store's generation, so a request still streaming when /_control/reset ran
cannot put its bytes into the new state.
"""
import collections
import hashlib
import os
import shutil
import threading
import time
import uuid

import crc64
from apierror import ApiError
from coserror import CosError

MIN_PART = 1 << 20             # every part but the last: at least 1 MiB
MAX_PART_NUMBER = 10000
MAX_LEDGER = 5000


def quoted(etag):
    return '"%s"' % etag


class CosStore:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self._lock = threading.Lock()
        self.generation = 0
        self._clear()
        self._reset_dir()

    def _clear(self):
        self.sessions = {}        # SecretId -> session
        self.by_key = {}          # VodSessionKey -> session
        self.objects = {}         # key -> object
        self.uploads = {}         # UploadId -> upload
        self.ledger = collections.deque(maxlen=MAX_LEDGER)
        self.fault = None

    def _reset_dir(self):
        shutil.rmtree(self.data, ignore_errors=True)
        os.makedirs(self.data, exist_ok=True)

    def clear(self):
        with self._lock:
            self.generation += 1
            self._clear()
            self._reset_dir()

    def new_path(self):
        return os.path.join(self.data, uuid.uuid4().hex)

    # -- sessions (made by ApplyUpload) ------------------------------------------
    def add_session(self, session):
        with self._lock:
            self.sessions[session["secret_id"]] = session
            self.by_key[session["vod_session_key"]] = session

    def session_by_ak(self, secret_id):
        with self._lock:
            s = self.sessions.get(secret_id)
            return dict(s) if s else None

    def commit(self, vod_session_key, sub_app_id, file_id):
        """CommitUpload's check and change, atomically: the session, or ApiError."""
        with self._lock:
            s = self.by_key.get(vod_session_key)
            if s is None or (sub_app_id is not None and s["sub_app_id"] is not None
                             and sub_app_id != s["sub_app_id"]):
                raise ApiError("InvalidParameterValue.VodSessionKey",
                                 "VodSessionKey is not a session of this application")
            if s["committed"]:
                raise ApiError("InvalidParameterValue.VodSessionKey",
                                 "VodSessionKey was already committed")
            for what, key in (("media", s["media_key"]), ("cover", s["cover_key"])):
                if key is not None and key not in self.objects:
                    raise ApiError("ResourceNotFound",
                                     "the %s file was not uploaded: no object at `%s`"
                                     % (what, key))
            s["committed"], s["file_id"] = True, file_id
            return dict(s)

    def session_list(self):
        hidden = ("secret_key", "token")
        with self._lock:
            return [{k: v for k, v in s.items() if k not in hidden}
                    for s in self.by_key.values()]

    # -- objects -----------------------------------------------------------------
    def put_object(self, generation, key, path, size, md5, crc, content_type):
        """Store a PUT body as the object at key; False if a reset came between."""
        with self._lock:
            if generation != self.generation:
                return False
            old = self.objects.get(key)
            self.objects[key] = {"key": key, "size": size, "crc64": crc, "md5": md5,
                                 "etag": md5, "content_type": content_type,
                                 "files": [(path, size)], "parts": None,
                                 "last_modified": time.time()}
        _unlink_object(old)
        return True

    def get_object(self, key):
        with self._lock:
            obj = self.objects.get(key)
            return dict(obj) if obj else None

    def object_list(self):
        """Objects, with the MD5 of the whole object (computed once, lazily, for
        multipart objects)."""
        with self._lock:
            objs = [dict(o) for o in self.objects.values()]
        out = []
        for o in objs:
            if o["md5"] is None:
                o["md5"] = _file_md5(o["files"])
                with self._lock:
                    current = self.objects.get(o["key"])
                    if current is not None and current["files"] == o["files"]:
                        current["md5"] = o["md5"]
            out.append({"key": o["key"], "size": o["size"], "crc64": str(o["crc64"]),
                        "md5": o["md5"], "etag": quoted(o["etag"]),
                        "content_type": o["content_type"], "parts": o["parts"]})
        return out

    # -- multipart uploads -------------------------------------------------------
    def initiate(self, generation, key, secret_id):
        upload_id = "%d%s" % (int(time.time()), uuid.uuid4().hex + uuid.uuid4().hex[:8])
        with self._lock:
            if generation != self.generation:
                raise CosError(503, "ServiceUnavailable", "the fake was reset meanwhile")
            self.uploads[upload_id] = {"upload_id": upload_id, "key": key,
                                       "secret_id": secret_id, "initiated": time.time(),
                                       "parts": {}}
        return upload_id

    def _upload(self, upload_id, key):
        u = self.uploads.get(upload_id)
        if u is None or u["key"] != key:
            raise CosError(404, "NoSuchUpload",
                           "The specified upload does not exist. The upload ID may be "
                           "invalid, or the upload may have been aborted or completed.")
        return u

    def check_upload(self, upload_id, key):
        with self._lock:
            self._upload(upload_id, key)

    def put_part(self, generation, upload_id, key, number, path, size, md5, crc):
        """Store (or replace) a part; CosError NoSuchUpload if the upload went away."""
        with self._lock:
            if generation != self.generation:
                raise CosError(404, "NoSuchUpload", "the fake was reset meanwhile")
            u = self._upload(upload_id, key)
            old = u["parts"].get(number)
            u["parts"][number] = {"number": number, "path": path, "size": size,
                                  "md5": md5, "crc64": crc, "last_modified": time.time()}
        if old:
            _unlink(old["path"])

    def list_parts(self, upload_id, key):
        with self._lock:
            u = self._upload(upload_id, key)
            return [dict(p) for _, p in sorted(u["parts"].items())]

    def list_uploads(self, prefix):
        """Uploads in progress whose key starts with prefix, by key then initiation."""
        with self._lock:
            found = [{"key": u["key"], "upload_id": u["upload_id"],
                      "initiated": u["initiated"]}
                     for u in self.uploads.values() if u["key"].startswith(prefix)]
        return sorted(found, key=lambda u: (u["key"], u["initiated"], u["upload_id"]))

    def abort(self, upload_id, key):
        with self._lock:
            u = self._upload(upload_id, key)
            del self.uploads[upload_id]
        for p in u["parts"].values():
            _unlink(p["path"])

    def complete(self, upload_id, key, listed, dry_run=False):
        """listed: [(part number, ETag without quotes)] as the request gave them.
        Returns the new object (a copy), or None after the checks alone with
        dry_run. Raises CosError for every refusal."""
        with self._lock:
            u = self._upload(upload_id, key)
            parts = _check_listed(u["parts"], listed)
            if dry_run:
                return None
            crc, size = 0, 0
            for p in parts:
                crc = crc64.combine(crc, p["crc64"], p["size"])
                size += p["size"]
            digest = hashlib.md5(b"".join(bytes.fromhex(p["md5"]) for p in parts))
            used = {p["number"] for p in parts}
            unused = [p["path"] for n, p in u["parts"].items() if n not in used]
            del self.uploads[upload_id]
            old = self.objects.get(key)
            obj = {"key": key, "size": size, "crc64": crc, "md5": None,
                   "etag": "%s-%d" % (digest.hexdigest(), len(parts)),
                   "content_type": "application/octet-stream",
                   "files": [(p["path"], p["size"]) for p in parts], "parts": len(parts),
                   "last_modified": time.time()}
            self.objects[key] = obj
            obj = dict(obj)
        _unlink_object(old)
        for path in unused:
            _unlink(path)
        return obj

    def upload_list(self):
        with self._lock:
            return [{"upload_id": u["upload_id"], "key": u["key"],
                     "initiated": u["initiated"],
                     "parts": [{"part_number": n, "size": p["size"],
                                "etag": quoted(p["md5"]), "crc64": str(p["crc64"])}
                               for n, p in sorted(u["parts"].items())]}
                    for u in self.uploads.values()]

    # -- ledger and faults -------------------------------------------------------
    def record(self, entry):
        with self._lock:
            self.ledger.append(entry)

    def requests(self):
        with self._lock:
            return [dict(e) for e in self.ledger]

    def set_fault(self, fault):
        with self._lock:
            self.fault = fault

    def get_fault(self):
        with self._lock:
            return dict(self.fault) if self.fault else None

    def take_fault(self, operation, part_number):
        """The fault for this request, consuming one count, or None."""
        with self._lock:
            f = self.fault
            if f is None or operation not in f["operations"] \
                    or f["part_number"] not in (None, part_number):
                return None
            if f["count"] > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self.fault = None
            return dict(f)


def _check_listed(parts, listed):
    """The parts Complete names, checked in COS's order of refusals."""
    if not listed:
        raise CosError(400, "MalformedXML", "CompleteMultipartUpload lists no Part")
    previous = 0
    for number, _ in listed:
        if number <= previous:
            raise CosError(400, "InvalidPartOrder",
                           "The list of parts was not in ascending order: part %d after %d"
                           % (number, previous))
        if number != previous + 1:
            raise CosError(400, "InvalidPartOrder",
                           "The parts must be contiguous from 1: part %d after %d"
                           % (number, previous))
        previous = number
    out = []
    for number, etag in listed:
        p = parts.get(number)
        if p is None:
            raise CosError(400, "InvalidPart",
                           "One or more of the specified parts could not be found: "
                           "part %d was not uploaded" % number)
        if etag.lower() != p["md5"]:
            raise CosError(400, "InvalidPart",
                           "part %d: ETag \"%s\" does not match the uploaded part's \"%s\""
                           % (number, etag, p["md5"]))
        out.append(p)
    for p in out[:-1]:
        if p["size"] < MIN_PART:
            raise CosError(400, "EntityTooSmall",
                           "Your proposed upload is smaller than the minimum allowed object "
                           "size: part %d is %d bytes (every part but the last must be at "
                           "least %d)" % (p["number"], p["size"], MIN_PART))
    return out


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _unlink_object(obj):
    if obj:
        for path, _ in obj["files"]:
            _unlink(path)


def _file_md5(files):
    md5 = hashlib.md5()
    for path, _ in files:
        try:
            with open(path, "rb") as f:
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    md5.update(block)
        except OSError:
            return None
    return md5.hexdigest()
