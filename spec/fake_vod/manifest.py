"""ParseStreamingManifest: the files a manifest refers to, relative to it.

ManifestType m3u8 (the default) or mpd. Segment paths must be relative to the
manifest's directory or below it: no URL, no absolute path, no `..` (as the
API documents); one that is not -> InvalidParameterValue.MediaManifestContent.
Paths come back in order of first appearance, without repeats, `./` removed.

HLS (RFC 8216): the URI lines, and the URI="..." attribute of EXT-X-KEY,
EXT-X-SESSION-KEY, EXT-X-MAP, EXT-X-MEDIA and EXT-X-I-FRAME-STREAM-INF. A
playlist must begin with #EXTM3U.

DASH (ISO/IEC 23009-1), where simple: BaseURL at every level (a relative
directory joined to the ones above; a file name at a Representation without
segment information is its single segment), SegmentList (Initialization
@sourceURL, SegmentURL @media), SegmentBase's Initialization @sourceURL and
SegmentTemplate (@initialization, @media with $RepresentationID$, $Bandwidth$,
$Number$ and $Time$, optionally %0Nd, counted from a SegmentTimeline, or
from @duration and the Period's or MPD's duration; a Representation's
template overrides its AdaptationSet's, attribute by attribute).
"""
import math
import posixpath
import re
import xml.etree.ElementTree as ET

from apierror import ApiError

MAX_SEGMENTS = 100000
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ATTRIBUTE = re.compile(r'\s*([A-Z0-9-]+)=("[^"]*"|[^,]*)\s*(?:,|$)')
_URI_TAGS = ("#EXT-X-KEY:", "#EXT-X-SESSION-KEY:", "#EXT-X-MAP:", "#EXT-X-MEDIA:",
             "#EXT-X-I-FRAME-STREAM-INF:")
_DURATION = re.compile(r"P(?:([0-9.]+)Y)?(?:([0-9.]+)M)?(?:([0-9.]+)W)?(?:([0-9.]+)D)?"
                       r"(?:T(?:([0-9.]+)H)?(?:([0-9.]+)M)?(?:([0-9.]+)S)?)?")
_IDENTIFIER = re.compile(r"\$(RepresentationID|Bandwidth|Number|Time)(%0([0-9]+)d)?\$|\$\$")


def _bad(message):
    return ApiError("InvalidParameterValue.MediaManifestContent", message)


def _relative(uri, where):
    """uri, stripped, if it is a path relative to the manifest."""
    uri = uri.strip()
    if not uri or _SCHEME.match(uri) or uri.startswith(("/", "\\")) \
            or ".." in uri.replace("\\", "/").split("/"):
        raise _bad("%s: `%s` is not a path relative to the manifest (no URL, no "
                   "absolute path, no `..`)" % (where, uri[:200]))
    return uri


class Segments:
    """Relative paths in order of first appearance, checked."""

    def __init__(self):
        self.paths, self.seen = [], set()

    def add(self, uri, where):
        path = posixpath.normpath(_relative(uri, where))
        if path not in self.seen:
            self.seen.add(path)
            self.paths.append(path)
        if len(self.paths) > MAX_SEGMENTS:
            raise _bad("more than %d segments" % MAX_SEGMENTS)


def parse_streaming_manifest(state, secret_id, params):
    kind = params.get("ManifestType", "m3u8")
    if kind not in ("m3u8", "mpd"):
        raise ApiError("InvalidParameterValue",
                       "ManifestType must be m3u8 or mpd, got `%s`" % kind[:40])
    text = params["MediaManifestContent"]
    segments = parse_m3u8(text) if kind == "m3u8" else parse_mpd(text)
    return {"MediaSegmentSet": segments}


# -- HLS ------------------------------------------------------------------------
def parse_m3u8(text):
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "#EXTM3U":
        raise _bad("MediaManifestContent is not an HLS playlist: the first line must be "
                   "#EXTM3U")
    out = Segments()
    for number, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            out.add(line, "line %d" % number)
            continue
        for tag in _URI_TAGS:
            if line.startswith(tag):
                uri = _attributes(line[len(tag):]).get("URI")
                if uri is not None:
                    out.add(uri, "line %d (%s URI)" % (number, tag[1:-1]))
    return out.paths


def _attributes(text):
    attrs, pos = {}, 0
    while pos < len(text):
        m = _ATTRIBUTE.match(text, pos)
        if not m or m.end() == pos:
            break
        value = m.group(2)
        attrs[m.group(1)] = value[1:-1] if value.startswith('"') else value
        pos = m.end()
    return attrs


# -- DASH -----------------------------------------------------------------------
def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _children(elem, name):
    return [c for c in elem if _local(c.tag) == name]


def _child(elem, name):
    found = _children(elem, name)
    return found[0] if found else None


def _seconds(text):
    if not text:
        return None
    m = _DURATION.fullmatch(text.strip())
    if not m or not any(m.groups()):
        raise _bad("`%s` is not an ISO 8601 duration" % text[:60])
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60) + s


class _Base:
    """A BaseURL context: the directory prefix, and a file if the last BaseURL
    named one."""

    def __init__(self, directory="", file=None):
        self.directory, self.file = directory, file

    def under(self, elem):
        url = _child(elem, "BaseURL")
        if url is None or not (url.text or "").strip():
            return _Base(self.directory)
        text = _relative(url.text, "BaseURL")
        if text.endswith("/"):
            return _Base(self.directory + text)
        head = text.rsplit("/", 1)[0] + "/" if "/" in text else ""
        return _Base(self.directory + head, self.directory + text)


def parse_mpd(text):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise _bad("MediaManifestContent is not a DASH MPD: %s" % e)
    if _local(root.tag) != "MPD":
        raise _bad("MediaManifestContent is not a DASH MPD: the root element is %s"
                   % _local(root.tag)[:60])
    out = Segments()
    total = _seconds(root.get("mediaPresentationDuration"))
    mpd_base = _Base().under(root)
    for period in _children(root, "Period"):
        base = mpd_base.under(period)
        seconds = _seconds(period.get("duration")) or total
        for aset in _children(period, "AdaptationSet"):
            abase = base.under(aset)
            for rep in _children(aset, "Representation"):
                _representation(rep, aset, period, abase.under(rep), seconds, out)
    return out.paths


def _representation(rep, aset, period, base, seconds, out):
    where = "Representation %s" % rep.get("id", "?")
    slist = _child(rep, "SegmentList")
    if slist is None:
        slist = _child(aset, "SegmentList")
    templates = [t for t in (_child(period, "SegmentTemplate"),
                             _child(aset, "SegmentTemplate"),
                             _child(rep, "SegmentTemplate")) if t is not None]
    sbase = _child(rep, "SegmentBase")
    if slist is not None:
        init = _child(slist, "Initialization")
        if init is not None and init.get("sourceURL"):
            out.add(base.directory + init.get("sourceURL"), where + " Initialization")
        for seg in _children(slist, "SegmentURL"):
            if seg.get("media"):
                out.add(base.directory + seg.get("media"), where + " SegmentURL")
    elif templates:
        _template(rep, templates, base, seconds, out, where)
    else:
        if sbase is not None:
            init = _child(sbase, "Initialization")
            if init is not None and init.get("sourceURL"):
                out.add(base.directory + init.get("sourceURL"), where + " Initialization")
        if base.file is not None:
            out.add(base.file, where + " BaseURL")


def _template(rep, templates, base, seconds, out, where):
    attrs, timeline = {}, None
    for t in templates:             # the innermost wins, attribute by attribute
        attrs.update(t.attrib)
        if _child(t, "SegmentTimeline") is not None:
            timeline = _child(t, "SegmentTimeline")
    values = {"RepresentationID": rep.get("id", ""), "Bandwidth": rep.get("bandwidth", "")}
    if attrs.get("initialization"):
        out.add(base.directory + _fill(attrs["initialization"], values, where),
                where + " SegmentTemplate@initialization")
    media = attrs.get("media")
    if not media:
        return
    try:
        start = int(attrs.get("startNumber", "1"))
        timescale = int(attrs.get("timescale", "1"))
    except ValueError:
        raise _bad("%s: startNumber and timescale must be integers" % where)
    times = _timeline(timeline, seconds, timescale, where) if timeline is not None \
        else None
    if times is None:
        if "$Time$" in media or "%0" in media and "$Time%" in media:
            raise _bad("%s: $Time$ needs a SegmentTimeline" % where)
        try:
            duration = int(attrs.get("duration", "0"))
        except ValueError:
            duration = 0
        if duration <= 0 or not seconds:
            raise _bad("%s: a SegmentTemplate needs a SegmentTimeline, or a duration and "
                       "the Period's or MPD's duration" % where)
        count = math.ceil(seconds * timescale / duration - 1e-9)
        times = [i * duration for i in range(count)]
    if len(times) > MAX_SEGMENTS:
        raise _bad("%s: more than %d segments" % (where, MAX_SEGMENTS))
    for i, t in enumerate(times):
        values.update(Number=str(start + i), Time=str(t))
        out.add(base.directory + _fill(media, values, where), where + " SegmentTemplate")


def _timeline(timeline, seconds, timescale, where):
    times, t = [], 0
    for s in _children(timeline, "S"):
        try:
            t = int(s.get("t", t))
            d = int(s.get("d"))
            r = int(s.get("r", "0"))
        except (TypeError, ValueError):
            raise _bad("%s: an S element needs an integer d (and t, r)" % where)
        if d <= 0:
            raise _bad("%s: S@d must be positive" % where)
        if r < 0:
            if not seconds:
                raise _bad("%s: S@r=-1 needs the Period's or MPD's duration" % where)
            end = seconds * timescale
            while t < end and len(times) <= MAX_SEGMENTS:
                times.append(t)
                t += d
            continue
        for _ in range(r + 1):
            times.append(t)
            t += d
            if len(times) > MAX_SEGMENTS:
                return times
    return times


def _fill(template, values, where):
    def one(m):
        if m.group(0) == "$$":
            return "$"
        value = values.get(m.group(1))
        if value is None:
            raise _bad("%s: $%s$ has no value here" % (where, m.group(1)))
        if m.group(3):
            if m.group(1) in ("Number", "Time", "Bandwidth") and value.isdigit():
                return value.zfill(int(m.group(3)))
        return value
    return _IDENTIFIER.sub(one, template)
