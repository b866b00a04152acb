"""The COS XML API V5 request signature (q-sign-algorithm=sha1), checked.

Written from COS's "Request Signature" documentation
(https://cloud.tencent.com/document/product/436/7778):

  KeyTime      = "<start>;<end>" (q-key-time; q-sign-time is the same)
  SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))
  HttpString   = lower(method) \\n /<key, not percent-encoded> \\n
                 HttpParameters \\n HttpHeaders \\n
  StringToSign = "sha1" \\n KeyTime \\n hex(SHA1(HttpString)) \\n
  Signature    = hex(HMAC-SHA1(SignKey as its hex text, StringToSign))

HttpParameters / HttpHeaders: name=value pairs joined by "&", sorted by name,
where name = lower(UrlEncode(name)) and value = UrlEncode(value); a parameter
without a value is signed with an empty one. UrlEncode keeps only
A-Z a-z 0-9 - _ . ~ and writes every other byte as %XX (upper case hex).

verify() raises CosError(status, code, message) or returns the parsed fields.
"""
import hashlib
import hmac
import re
from urllib.parse import quote

from coserror import CosError

FIELDS = ("q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time",
          "q-header-list", "q-url-param-list", "q-signature")
_KEY_TIME = re.compile(r"([0-9]{1,12});([0-9]{1,12})")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_LIST_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+|[a-z0-9%._~-]+")


def url_encode(text):
    """COS's UrlEncode: UTF-8 bytes, only unreserved characters kept."""
    return quote(text.encode("utf-8") if isinstance(text, str) else text, safe="-_.~")


def _denied(message):
    return CosError(403, "AccessDenied", message)


def parse_authorization(value):
    """The seven fields of the Authorization value, each exactly once."""
    fields = {}
    for item in value.strip().split("&"):
        name, sep, text = item.partition("=")
        if not sep or name not in FIELDS:
            raise _denied("Authorization: unexpected item `%s` (the value is "
                          "q-sign-algorithm=sha1&q-ak=...&q-sign-time=...&q-key-time=..."
                          "&q-header-list=...&q-url-param-list=...&q-signature=...)"
                          % item[:40])
        if name in fields:
            raise _denied("Authorization: `%s` given twice" % name)
        fields[name] = text
    missing = [f for f in FIELDS if f not in fields]
    if missing:
        raise _denied("Authorization: `%s` is missing" % missing[0])
    if fields["q-sign-algorithm"] != "sha1":
        raise _denied("Authorization: q-sign-algorithm must be sha1, got `%s`"
                      % fields["q-sign-algorithm"][:20])
    if not _KEY_TIME.fullmatch(fields["q-key-time"]):
        raise _denied("Authorization: q-key-time must be <start>;<end> in Unix "
                      "seconds, got `%s`" % fields["q-key-time"][:40])
    if fields["q-sign-time"] != fields["q-key-time"]:
        raise _denied("Authorization: q-sign-time `%s` differs from q-key-time `%s`"
                      % (fields["q-sign-time"][:40], fields["q-key-time"][:40]))
    if not _HEX40.fullmatch(fields["q-signature"]):
        raise _denied("Authorization: q-signature must be 40 lowercase hex digits")
    for name in ("q-header-list", "q-url-param-list"):
        items = fields[name].split(";") if fields[name] else []
        if any(not _LIST_NAME.fullmatch(i) for i in items):
            raise _denied("Authorization: %s must hold lowercase names joined by `;`"
                          % name)
        if items != sorted(set(items)):
            raise _denied("Authorization: %s must be sorted, without repeats: `%s`"
                          % (name, fields[name][:200]))
        fields[name] = items
    return fields


def key_time(fields):
    start, end = _KEY_TIME.fullmatch(fields["q-key-time"]).groups()
    return int(start), int(end)


def pairs(items):
    """[(lower(UrlEncode(name)), UrlEncode(value))] sorted: the signed form."""
    return sorted((url_encode(n).lower(), url_encode(v)) for n, v in items)


def string_to_sign(method, key, params, headers, key_time_text):
    """params / headers: [(signed name, signed value)] in order. -> (HttpString, StringToSign)."""
    http_string = "%s\n/%s\n%s\n%s\n" % (
        method.lower(), key, "&".join("%s=%s" % p for p in params),
        "&".join("%s=%s" % h for h in headers))
    digest = hashlib.sha1(http_string.encode("utf-8")).hexdigest()
    return http_string, "sha1\n%s\n%s\n" % (key_time_text, digest)


def signature(secret_key, key_time_text, sts):
    sign_key = hmac.new(secret_key.encode("utf-8"), key_time_text.encode("utf-8"),
                        hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode("utf-8"), sts.encode("utf-8"), hashlib.sha1).hexdigest()


def verify(method, key, query, headers, fields, secret_key):
    """Check fields (from parse_authorization) against the request.

    key: the object key, percent-decoded, without its leading "/".
    query: [(name, value)] decoded, as received. headers: {lower name: value}.
    Every query parameter and `host` and every x-cos-* header must be signed;
    a listed header must be present. Returns the HttpString on success.
    """
    header_list, param_list = fields["q-header-list"], fields["q-url-param-list"]
    for name in ["host"] + sorted(h for h in headers if h.startswith("x-cos-")):
        if name in headers and url_encode(name).lower() not in header_list:
            raise _denied("header `%s` must be signed (q-header-list is `%s`)"
                          % (name, ";".join(header_list)))
    if "host" not in headers:
        raise _denied("the request has no Host header")
    by_signed_name = {url_encode(n).lower(): v for n, v in headers.items()}
    signed_headers = []
    for name in header_list:
        if name not in by_signed_name:
            raise CosError(403, "SignatureDoesNotMatch",
                            "q-header-list names `%s`, which the request does not carry"
                            % name)
        signed_headers.append((name, url_encode(by_signed_name[name])))
    signed_params = pairs(query)
    if [n for n, _ in signed_params] != param_list:
        raise _denied("q-url-param-list `%s` must name every query parameter: `%s`"
                      % (";".join(param_list), ";".join(n for n, _ in signed_params)))
    http_string, sts = string_to_sign(method, key, signed_params, signed_headers,
                                      fields["q-key-time"])
    want = signature(secret_key, fields["q-key-time"], sts)
    if not hmac.compare_digest(want, fields["q-signature"]):
        raise CosError(403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the "
                        "signature you provided (HttpString %r)" % http_string[:600])
    return http_string
