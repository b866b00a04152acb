"""API error type and the JSON shapes of error responses (spec section 1)."""
import uuid


class ApiError(Exception):
    """An API-level failure: answered as HTTP 200 with Response.Error."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


def new_request_id():
    return str(uuid.uuid4())


def error_response(code, message):
    """Content of the "Response" object for an error."""
    return {"Error": {"Code": code, "Message": message},
            "RequestId": new_request_id()}
