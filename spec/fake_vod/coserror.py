"""COS errors: an HTTP status, a code, a message; answered as XML.

  <Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>
  with Content-Type: application/xml and x-cos-request-id / x-cos-trace-id.
"""
import base64
import os
from xml.sax.saxutils import escape

XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The code of an injected error answered with only a status.
DEFAULT_CODES = {400: "InvalidArgument", 403: "AccessDenied", 404: "NoSuchKey",
                 409: "OperationAborted", 500: "InternalError", 501: "NotImplemented",
                 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


class CosError(Exception):
    def __init__(self, status, code, message):
        super().__init__("%s: %s" % (code, message))
        self.status, self.code, self.message = status, code, message


def new_request_id():
    """Opaque like COS's (base64 text)."""
    return base64.b64encode(os.urandom(27)).decode("ascii")


def new_trace_id():
    return base64.b64encode(os.urandom(60)).decode("ascii")


def error_document(code, message, resource, request_id, trace_id):
    return XML_HEAD + (
        "<Error><Code>%s</Code><Message>%s</Message><Resource>%s</Resource>"
        "<RequestId>%s</RequestId><TraceId>%s</TraceId></Error>"
        % tuple(escape(x) for x in (code, message, resource, request_id, trace_id))
    ).encode("utf-8")
