"""Server-side verification of TC3-HMAC-SHA256 signatures (spec section 2).

Written from the spec only; it shares no code with the C client or with the
selftest's signer, so a signing bug cannot hide on both sides.
"""
import hashlib
import hmac
import re
import time

from apierror import ApiError

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "vod"
REQUIRED_SIGNED = ("content-type", "host")

# Exactly the documented layout: "<alg> Credential=<id>/<date>/<service>/tc3_request,
# SignedHeaders=<a;b>, Signature=<64 lowercase hex>", single ", " separators.
_AUTH_RE = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/\s,]+)/(?P<date>[^/\s,]+)/"
    r"(?P<service>[^/\s,]+)/tc3_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9-]+(?:;[a-z0-9-]+)*), "
    r"Signature=(?P<sig>[0-9a-f]{64})")

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                             "abcdefghijklmnopqrstuvwxyz")


class Credential:
    def __init__(self, secret_key, token=None):
        self.secret_key = secret_key
        self.token = token  # None: permanent key; else X-TC-Token must equal it


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def utc_date(timestamp):
    """The credential-scope date: the UTC (never local) date of the timestamp."""
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


def host_without_port(value):
    """The signature covers the host name alone: 'localhost:8443' -> 'localhost'.

    Handles bracketed IPv6 literals ('[::1]:8443' -> '[::1]').
    """
    if value.startswith("["):
        end = value.find("]")
        return value[:end + 1] if end >= 0 else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def canonical_value(name, raw):
    """Canonical value of one signed header, taken from the request as received."""
    value = raw.strip()
    if name == "host":
        value = host_without_port(value)
    elif name == "x-tc-action":
        value = value.translate(_ASCII_LOWER)  # documented: action lowercased
    return value


def canonical_request(headers, signed, body):
    """CanonicalRequest text for a POST to '/' with an empty query string.

    headers is the request's (case-insensitive) header mapping; signed is the
    sorted list of lowercase names from SignedHeaders.
    """
    lines = []
    for name in signed:
        raw = headers.get(name)
        if raw is None:
            raise ApiError("AuthFailure.InvalidAuthorization",
                           "signed header `%s` is not present in the request" % name)
        lines.append("%s:%s\n" % (name, canonical_value(name, raw)))
    # Each header line ends in "\n", so joining with "\n" leaves an empty line.
    return "\n".join(["POST", "/", "", "".join(lines), ";".join(signed),
                      sha256_hex(body)])


def signature(secret_key, timestamp, date, service, creq):
    # Header values arrive decoded as latin-1, so latin-1 gives back the raw bytes.
    hashed = sha256_hex(creq.encode("latin-1", "replace"))
    to_sign = "%s\n%d\n%s/%s/tc3_request\n%s" % (ALGORITHM, timestamp, date,
                                                 service, hashed)
    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_signing = _hmac(_hmac(k_date, service), "tc3_request")
    return hmac.new(k_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_signed_headers(signed):
    if signed != sorted(set(signed)):
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "SignedHeaders must be sorted by name without duplicates")
    for name in REQUIRED_SIGNED:
        if name not in signed:
            raise ApiError("AuthFailure.InvalidAuthorization",
                           "SignedHeaders must include `%s`" % name)


def verify(headers, body, timestamp, credentials, note=None):
    """Check the Authorization header; return the SecretId or raise ApiError.

    credentials maps SecretId -> Credential. note(canonical_request) is called,
    when given, once the canonical request is known (for debugging clients).
    """
    m = _AUTH_RE.fullmatch(headers.get("Authorization", "").strip())
    if not m:
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "Authorization is malformed; expected 'TC3-HMAC-SHA256 "
                       "Credential=<id>/<date>/vod/tc3_request, SignedHeaders=<a;b>, "
                       "Signature=<64 lowercase hex>'")
    cred = credentials.get(m["id"])
    if cred is None:
        raise ApiError("AuthFailure.SecretIdNotFound",
                       "SecretId `%s` is not known" % m["id"])
    if m["service"] != SERVICE:
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "credential scope service is `%s`, expected `vod`" % m["service"])
    date = utc_date(timestamp)
    if m["date"] != date:
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "credential scope date %s is not the UTC date %s of "
                       "X-TC-Timestamp" % (m["date"], date))
    signed = m["signed"].split(";")
    _check_signed_headers(signed)
    creq = canonical_request(headers, signed, body)
    if note:
        note(creq)
    expected = signature(cred.secret_key, timestamp, date, SERVICE, creq)
    if not hmac.compare_digest(expected, m["sig"]):
        raise ApiError("AuthFailure.SignatureFailure",
                       "signature mismatch (server hashed canonical request %s)"
                       % sha256_hex(creq.encode("latin-1", "replace")))
    if cred.token is not None:
        token = headers.get("X-TC-Token")
        if token is None or token.strip() != cred.token:
            raise ApiError("AuthFailure.TokenFailure",
                           "X-TC-Token is missing or wrong for a temporary credential")
    return m["id"]
