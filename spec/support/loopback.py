"""What the loopback test helpers in spec/support share (stdlib only): a
quiet JSON control handler, and announcing the ports once listening."""
import json
import os
from http.server import BaseHTTPRequestHandler


class JSONControl(BaseHTTPRequestHandler):
    """Base of a helper's control listener: no access log, JSON replies."""

    def log_message(self, *args):
        pass

    def reply(self, obj):
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def announce(path, info):
    """Writes info as JSON to path in one step (the specs wait for the file)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, path)
