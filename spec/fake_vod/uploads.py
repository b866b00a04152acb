"""ApplyUpload and CommitUpload: an upload session, and its end.

ApplyUpload makes a session: a new storage path and new temporary COS
credentials (SecretId, SecretKey, Token) valid until ExpiredTime = the COS
clock + config upload_session_seconds. The fake COS (cos.py) finds the session
by that SecretId. CommitUpload checks that the media (and the cover, when the
session has one) exists in the fake COS, once: a second commit of the same
session is refused like an unknown one. Both run after the model's
validation (types are right).
"""
import datetime
import posixpath
import random
import re
import secrets
from urllib.parse import quote

from apierror import ApiError

BUCKET = "vodfake-1250000000"         # ends in -<APPID>, like VOD's buckets
DEFAULT_REGION = "ap-guangzhou"
MEDIA_TYPES = {
    # video
    "mp4", "ts", "mov", "mxf", "mpg", "mpeg", "mpe", "flv", "f4v", "wmv", "wm", "avi",
    "m4v", "mp4v", "3gp", "asf", "asx", "mkv", "webm", "rm", "rmvb", "ram", "vob",
    "dat", "qt", "ogg", "m3u8", "mpd",
    # audio
    "mp3", "m4a", "flac", "wav", "amr", "aac", "wma",
    # image
    "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "ai", "cdr", "eps", "webp",
    # subtitles
    "srt", "vtt",
}
COVER_TYPES = {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "ai", "cdr", "eps", "webp"}
STREAMING_TYPES = {"m3u8", "mpd"}
MAX_SUB_APP_ID = 2 ** 32 - 1
_REGION = re.compile(r"[a-z]+(-[a-z0-9]+)+")


def validate_sub_app_id(params):
    """Before the model's check: a SubAppId that cannot be an application's id
    is InvalidParameterValue.SubAppId (as the API documents), not a type error."""
    if "SubAppId" in params:
        v = params["SubAppId"]
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_SUB_APP_ID:
            raise ApiError("InvalidParameterValue.SubAppId",
                           "SubAppId must be the id of an application: an integer in "
                           "0..%d, got %s" % (MAX_SUB_APP_ID, str(v)[:40]))


def _check_expire_time(text):
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or "T" not in text or when.tzinfo is None:
        raise ApiError("InvalidParameterValue.ExpireTime",
                       "ExpireTime must be an ISO 8601 date and time with a zone "
                       "(e.g. 2030-01-01T00:00:00Z), got `%s`" % text[:60])


def _check_storage_path(path):
    parts = path.split("/")
    if not path.startswith("/") or path.endswith("/") or "" in parts[1:] \
            or "." in parts or ".." in parts:
        raise ApiError("InvalidParameterValue.MediaStoragePath",
                       "MediaStoragePath must be an absolute path of a file (`/dir/name.ext`, "
                       "no empty, `.` or `..` segment), got `%s`" % path[:200])


def _check_params(params):
    media_type = params["MediaType"]
    if media_type.lower() not in MEDIA_TYPES:
        raise ApiError("InvalidParameterValue.MediaType",
                       "MediaType `%s` is not a media type VOD takes (the file's "
                       "extension without the dot, e.g. mp4, m3u8, png)" % media_type[:40])
    cover_type = params.get("CoverType") or None
    if cover_type is not None and cover_type.lower() not in COVER_TYPES:
        raise ApiError("InvalidParameterValue.CoverType",
                       "CoverType `%s` is not an image type (e.g. jpg, png)" % cover_type[:40])
    if "ExpireTime" in params:
        _check_expire_time(params["ExpireTime"])
    if len(params.get("SourceContext", "")) > 250:
        raise ApiError("InvalidParameterValue",
                       "SourceContext is longer than 250 characters")
    if len(params.get("SessionContext", "")) > 1000:
        raise ApiError("InvalidParameterValue",
                       "SessionContext is longer than 1000 characters")
    region = params.get("StorageRegion") or DEFAULT_REGION
    if not _REGION.fullmatch(region):
        raise ApiError("InvalidParameterValue",
                       "StorageRegion `%s` is not a region name (e.g. ap-guangzhou)"
                       % region[:60])
    if "MediaStoragePath" in params:
        _check_storage_path(params["MediaStoragePath"])
    return media_type, cover_type, region


def apply_upload(state, secret_id, params):
    media_type, cover_type, region = _check_params(params)
    sub_app_id = params.get("SubAppId")
    media_path = params.get("MediaStoragePath") or "/%d/%s/f0.%s" % (
        sub_app_id or 0, secrets.token_hex(16), media_type)
    cover_path = None
    if cover_type is not None:
        cover_path = "%s_cover.%s" % (posixpath.splitext(media_path)[0], cover_type)
    config = state.get_config()
    expired = int(state.cos_time() + config["upload_session_seconds"])
    session = {
        "vod_session_key": secrets.token_urlsafe(72),
        "secret_id": "AKIDfakeCOS" + secrets.token_hex(12),
        "secret_key": secrets.token_hex(16), "token": secrets.token_hex(40),
        "expired_time": expired, "bucket": BUCKET, "region": region,
        "media_key": media_path[1:], "cover_key": cover_path and cover_path[1:],
        "media_type": media_type, "cover_type": cover_type,
        "streaming": media_type.lower() in STREAMING_TYPES,
        "sub_app_id": sub_app_id, "owner": secret_id,
        "committed": False, "file_id": None,
    }
    state.cos.add_session(session)
    return {"StorageBucket": BUCKET, "StorageRegion": region,
            "VodSessionKey": session["vod_session_key"],
            "MediaStoragePath": media_path, "CoverStoragePath": cover_path,
            "TempCertificate": {"SecretId": session["secret_id"],
                                "SecretKey": session["secret_key"],
                                "Token": session["token"], "ExpiredTime": expired}}


def media_url(state, key):
    """Where the fake's http listener serves an object back (GET, no signature)."""
    return state.media_base + quote(key)


def commit_upload(state, secret_id, params):
    file_id = str(5285890000000000000 + random.randrange(10 ** 12))
    s = state.cos.commit(params["VodSessionKey"], params.get("SubAppId"), file_id)
    return {"FileId": file_id, "MediaUrl": media_url(state, s["media_key"]),
            "CoverUrl": media_url(state, s["cover_key"]) if s["cover_key"] else None}
