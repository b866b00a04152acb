"""Injected faults: what a broken network / gateway / server looks like.

BEFORE_PROCESSING modes answer without running the action (no task created);
AFTER_PROCESSING modes run the action first (a create may have happened) and
then mangle the answer. "delay" sleeps and then answers normally.
Every mode also takes `action` (only requests with that X-TC-Action are
affected and consume the count) and `probability` (each matching request is
affected with that chance; the count is consumed only when affected).
"""
import json
import time

from apierror import error_response

BEFORE_PROCESSING = {"close_before", "http502", "notjson", "throttle", "close_mid_wait"}
AFTER_PROCESSING = {"close_mid", "bigbody", "nested", "norequestid", "lose_answer"}
MODES = {"none", "delay"} | BEFORE_PROCESSING | AFTER_PROCESSING
# Defaults of the per-mode parameters (validated in control.py).
PARAMS = {"delay": {"seconds": 1.0}, "bigbody": {"size": 1 << 20},
          "nested": {"depth": 1000}, "close_mid_wait": {"seconds": 0.3}}
COMMON_PARAMS = {"action": None, "probability": 1.0}

HTML_502 = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
NOT_JSON = b"this is not json <html>"
CLOSE_MID_PREFIX = 40       # bytes of the body sent before closing
CLOSE_MID_LENGTH = 1000     # Content-Length announced by close_mid
PAD_CHUNK = 64 * 1024


def answer_without_processing(h, fault):
    mode = fault["mode"]
    if mode == "close_before":
        h.close_connection = True       # request was read; send nothing
    elif mode == "close_mid_wait":      # a held request (PullEvents) cut off
        time.sleep(fault["seconds"])
        h.close_connection = True
    elif mode == "http502":
        h.send_payload(502, "text/html", [HTML_502])
    elif mode == "throttle":            # as the API's limiter answers
        h.app.state.count_error("RequestLimitExceeded")
        h.send_api_json(error_response("RequestLimitExceeded",
                                       "request rate limit exceeded (injected)"))
    else:  # notjson
        h.send_payload(200, "application/json", [NOT_JSON])


def answer_after_processing(h, fault, response):
    mode = fault["mode"]
    if mode == "lose_answer":           # processed; not one byte answered
        h.close_connection = True
    elif mode == "norequestid":
        response.pop("RequestId", None)
        h.send_api_json(response)
    elif mode == "close_mid":
        _close_mid(h, response)
    elif mode == "bigbody":
        parts, length = big_body(response, fault["size"])
        h.send_payload(200, "application/json", parts, length)
    else:  # nested
        h.send_payload(200, "application/json", [nested_body(fault["depth"])])


def _close_mid(h, response):
    data = json.dumps({"Response": response}).encode("utf-8")
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(CLOSE_MID_LENGTH))
    h.end_headers()
    h.wfile.write(data[:min(CLOSE_MID_PREFIX, len(data) - 1)])
    h.close_connection = True


def big_body(response, size):
    """A valid JSON body of exactly `size` bytes (or the minimum possible).

    The real response gets a "Padding" string member; the padding is streamed
    in 64 KiB pieces so 50 MB never exists in memory at once.
    """
    text = json.dumps({"Response": response})
    head = text[:-2] + (', ' if response else '') + '"Padding": "'
    head, tail = head.encode("utf-8"), b'"}}'
    pad = max(0, size - len(head) - len(tail))

    def parts():
        yield head
        left = pad
        block = b"x" * PAD_CHUNK
        while left > 0:
            yield block[:min(left, PAD_CHUNK)]
            left -= PAD_CHUNK
        yield tail
    return parts(), len(head) + pad + len(tail)


def nested_body(depth):
    return ('{"Response": {"RequestId": "x", "Deep": %s%s}}'
            % ("[" * depth, "]" * depth)).encode("ascii")
