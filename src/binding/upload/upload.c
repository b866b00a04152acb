/* client:upload's state machine (upload.h): the phases of an upload, the
 * lanes' jobs, and what each answer means for the upload. No I/O: the
 * drivers move the bytes (upload_curl.c, src/lua/ngx.lua); the COS requests
 * are written and read in upload_cos.c; the inputs are read in
 * upload_params.c. */
#define _POSIX_C_SOURCE 200809L
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>      /* curl_getdate: COS's Date */

#include "call_lua.h"
#include "clock.h"
#include "compat.h"
#include "cos_xml.h"
#include "crc64.h"
#include "errors.h"
#include "md5.h"
#include "md5_mb.h"
#include "request.h"
#include "retry.h"
#include "upload_ahead.h"
#include "upload_cos.h"
#include "upload_params.h"

enum { PH_RESUME = 1, PH_ABORT_OLD, PH_APPLY, PH_MANIFEST, PH_OBJECT, PH_COMMIT, PH_ABORT, PH_DONE };
enum { OB_START = 0, OB_SINGLE, OB_PROBE, OB_INIT, OB_PARTS, OB_COMPLETE, OB_HEAD };
enum { J_IDLE = 0, J_CALL, J_READ, J_PROGRESS, J_COS, J_SLEEP, J_DONE, J_AHEAD };
enum { CALL_APPLY = 1, CALL_MANIFEST, CALL_COMMIT };

#define NEXT (-1)
#define EXPIRY_MARGIN 30.0          /* s the credentials must still have when a request starts */
#define PROGRESS_EVERY 0.1          /* s: at most ten progress calls a second */

static vod_uop idle(lua_State *L, vod_upload *u, vod_lane *l);

static long long now_ms(void)
{
    return (long long)(vod_monotonic() * 1000.0);
}

static double cos_now(const vod_upload *u)
{
    return vod_wallclock() + (double)u->cos_offset;
}

static vod_uobj *cur(vod_upload *u)
{
    return &u->objs[u->cur];
}

static const char *stage_of(const vod_upload *u)
{
    return u->cur < u->n_objs && u->objs[u->cur].what == VOD_WHAT_COVER ? "cover" : "media";
}

/* ---- failing -------------------------------------------------------------- */

static int open_multipart(const vod_upload *u)
{
    return u->upload_id != NULL && (u->ob == OB_PARTS || u->ob == OB_PROBE || u->ob == OB_COMPLETE);
}

/* The upload failed, its error object on top (popped): the first failure is
 * the one reported. A multipart upload left open is aborted, so that no part
 * stays billed, unless a checkpoint keeps it for the next call and the
 * failure is one a later call may get past (transient: err.retryable). */
static void fail(lua_State *L, vod_upload *u, int keep_for_resume)
{
    if (u->error_ref == LUA_NOREF) {
        lua_pushstring(L, u->stage[0] ? u->stage : stage_of(u));
        lua_setfield(L, -2, "stage");
        u->error_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        lua_pop(L, 1);
    }
    if (u->phase >= PH_ABORT)
        return;
    if (open_multipart(u) && !(keep_for_resume && u->checkpoint != NULL)) {
        u->phase = PH_ABORT;
        u->busy = 0;
    } else {
        if (open_multipart(u))
            vod_debug(L, u->c, "upload: the multipart upload %s is kept for a later call (checkpoint "
                      "%s)", u->upload_id, u->checkpoint);
        u->phase = PH_DONE;
    }
    if (u->checkpoint != NULL && u->phase == PH_ABORT)
        unlink(u->checkpoint);
}

static void push_error(lua_State *L, vod_upload *u, const char *code, const char *action,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void push_error(lua_State *L, vod_upload *u, const char *code, const char *action,
                       const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    (void)u;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vod_error_push(L, code, action, "%s", msg);
}

/* ---- progress ------------------------------------------------------------- */

/* Bytes of the current object are in COS: progress is due, with these
 * figures (taken now: the call may come after the next object began). */
static void account(vod_upload *u, unsigned long long bytes)
{
    u->what_done += bytes;
    u->prog_done = u->what_done;
    u->prog_total = u->what_total;
    u->prog_what = stage_of(u);
    u->progress_due = 1;
}

static int progress_now(vod_upload *u)
{
    double now;
    if (u->progress_ref == LUA_NOREF || !u->progress_due || u->in_progress)
        return 0;
    now = vod_monotonic();
    if (!u->progress_force && now - u->last_progress < PROGRESS_EVERY)
        return 0;
    u->last_progress = now;
    u->progress_due = u->progress_force = 0;
    return 1;
}

/* ---- the objects ---------------------------------------------------------- */

static void free_parts(vod_upload *u)
{
    vod_ahead_reset(&u->ahead);
    free(u->parts);
    u->parts = NULL;
    u->n_parts = u->cap_parts = 0;
    u->next_part = 0;
    free(u->upload_id);
    u->upload_id = NULL;
}

static int add_part(vod_upload *u, unsigned long long offset, unsigned long long size)
{
    vod_upart *p;
    if (u->n_parts == u->cap_parts) {
        unsigned cap = u->cap_parts ? u->cap_parts * 2 : 64;
        p = realloc(u->parts, cap * sizeof *p);
        if (p == NULL)
            return -1;
        u->parts = p;
        u->cap_parts = cap;
    }
    p = &u->parts[u->n_parts++];
    memset(p, 0, sizeof *p);
    p->offset = offset;
    p->size = size;
    return 0;
}

/* The part size for size bytes: at least the option's, raised (to whole MiB)
 * so that the object needs at most 10 000 parts. */
static unsigned long long part_size_for(const vod_upload *u, long long size)
{
    unsigned long long ps = u->part_size;
    if (size > 0 && (unsigned long long)size / ps >= VOD_UPLOAD_MAX_PARTS) {
        ps = ((unsigned long long)size + VOD_UPLOAD_MAX_PARTS - 1) / VOD_UPLOAD_MAX_PARTS;
        ps = (ps + VOD_UPLOAD_MIB - 1) / VOD_UPLOAD_MIB * VOD_UPLOAD_MIB;
    }
    return ps;
}

static int next_object(lua_State *L, vod_upload *u)
{
    vod_uobj *o = cur(u);
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    if (o->size < 0)
        o->size = (long long)u->stream_read;
    vod_debug(L, u->c, "upload: %s stored at %s (%lld bytes)", o->segment ? o->segment :
              (o->what == VOD_WHAT_COVER ? "the cover" : "the media"), o->key, o->size);
    if (u->cur + 1 >= u->n_objs || u->objs[u->cur + 1].what != o->what) {
        /* the last of its kind: its progress says so, whatever the time */
        if (u->what_total == 0)
            u->prog_total = u->what_done;
        u->progress_force = 1;
    }
    free_parts(u);
    u->multipart = 0;
    u->busy = 0;
    u->ob = OB_START;
    u->cur++;
    if (u->cur < u->n_objs && u->objs[u->cur].what != o->what) {
        u->what_done = 0;           /* the cover's progress begins */
        u->what_total = 0;
        for (size_t i = u->cur; i < u->n_objs; i++)
            if (u->objs[i].what == u->objs[u->cur].what && u->objs[i].size > 0)
                u->what_total += (unsigned long long)u->objs[i].size;
    }
    if (u->cur >= u->n_objs)
        u->phase = PH_COMMIT;
    return NEXT;
}

/* ---- the checkpoint -------------------------------------------------------- */

static void checkpoint_save(lua_State *L, vod_upload *u)
{
    char why[VOD_CKPT_WHY_MAX];
    if (u->checkpoint == NULL || u->cur != 0 || !u->multipart)
        return;
    if (vod_ckpt_set(&u->ckpt.upload_id, u->upload_id) != 0 ||
        vod_ckpt_write(u->checkpoint, &u->ckpt, why) != 0)
        vod_debug(L, u->c, "upload: the checkpoint could not be written: %s", why);
}

/* ---- COS jobs --------------------------------------------------------------- */

/* The credentials' time left must cover the next request, and the upload's
 * rest at the rate so far: else ClientError.UploadExpired now, rather than a
 * storm of 403s later. 0, or the error pushed. */
static int check_expiry(lua_State *L, vod_upload *u)
{
    double now = cos_now(u), left = (double)u->expired - now;
    double life = (double)(u->expired - u->key_start), margin = EXPIRY_MARGIN;
    if (life / 4 < margin)
        margin = life / 4;
    if (left < margin) {
        push_error(L, u, VOD_E_UPLOAD_EXPIRED, "upload", "the upload session's temporary credentials "
                   "expire in %.0fs (at %lld): too late for another request to COS; ApplyUpload's "
                   "session cannot be renewed: upload again (a larger part_size or more "
                   "concurrency makes an upload faster)", left > 0 ? left : 0, u->expired);
        return -1;
    }
    if (u->total_bytes > 0 && u->done_bytes > 2 * u->part_size && u->done_bytes < u->total_bytes) {
        double rate = (double)u->done_bytes / (vod_monotonic() - u->started);
        double need = (double)(u->total_bytes - u->done_bytes) / rate;
        if (rate > 0 && need > left - margin) {
            push_error(L, u, VOD_E_UPLOAD_EXPIRED, "upload", "the upload cannot finish inside its "
                       "session: the temporary credentials expire in %.0fs, and at the rate so far "
                       "(%.2f MB/s) the %llu bytes left need about %.0fs; a larger part_size or more "
                       "concurrency makes it faster (ApplyUpload's session cannot be renewed)",
                       left, rate / 1e6, u->total_bytes - u->done_bytes, need);
            return -1;
        }
    }
    return 0;
}

static int cos_send(lua_State *L, vod_upload *u, vod_lane *l)
{
    char why[VOD_COS_WHY_MAX];
    if (check_expiry(L, u) != 0) {
        lua_pushnumber(L, (lua_Number)u->expired);
        lua_setfield(L, -2, "expired_time");
        fail(L, u, 0);
        return NEXT;
    }
    if (vod_cos_begin(u, l, why) != 0) {
        push_error(L, u, VOD_E_INTERNAL, vod_cos_op_name(l->kind), "the COS request could not "
                   "be written: %s", why);
        fail(L, u, 0);
        return NEXT;
    }
    l->job = J_COS;
    return NEXT - 1;        /* the exchange's first step, with no event */
}

static int cos_job(lua_State *L, vod_upload *u, vod_lane *l, int kind)
{
    l->kind = kind;
    l->attempts = l->retries = l->skew_fixed = l->ambiguous = 0;
    l->started = vod_monotonic();
    return cos_send(L, u, l);
}

/* A lane's part is over (done, failed or cut). */
static void part_over(vod_upload *u, vod_lane *l)
{
    if (l->kind == VOD_COS_PART && l->part > 0) {
        u->flying--;
        l->part = 0;
    }
}

/* The final failure of a COS request: an error object with what failed. */
static void cos_failed(lua_State *L, vod_upload *u, vod_lane *l, const vod_cos_answer *a)
{
    const char *op = vod_cos_op_name(l->kind);
    if (a->code[0] >= '0' && a->code[0] <= '9' && atoi(a->code) == VOD_FAIL_SOURCE) {
        /* the file, read as the part was sent, failed (it shrank): the
         * request was cut short, so COS stored nothing of it */
        push_error(L, u, VOD_E_FILE, "upload", "%s", a->message);
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "ambiguous");
    } else if (a->code[0] >= '0' && a->code[0] <= '9') {  /* the exchange's own failure */
        static const char *const codes[] = { VOD_E_NETWORK, VOD_E_DNS, VOD_E_CONNECT, VOD_E_TLS,
            VOD_E_TLS_VERIFY, VOD_E_TIMEOUT, VOD_E_NETWORK, VOD_E_PROXY, VOD_E_PROXY_AUTH,
            VOD_E_TOO_LARGE, VOD_E_OUT_OF_MEMORY, VOD_E_NETWORK };
        int f = atoi(a->code);
        push_error(L, u, codes[f >= 0 && f < 12 ? f : 0], op, "%s (%s)", a->message, u->route.conn_url);
        lua_pushboolean(L, l->x.sent);
        lua_setfield(L, -2, "ambiguous");
    } else {
        char code[100];
        snprintf(code, sizeof code, "Cos.%s", a->code);
        push_error(L, u, code, op, "%s%s%s%s", a->message[0] ? a->message : a->code,
                   a->doc.resource ? " (" : "", a->doc.resource ? a->doc.resource : "",
                   a->doc.resource ? ")" : "");
    }
    if (a->http_status) {
        vod_pushint(L, a->http_status);
        lua_setfield(L, -2, "http_status");
    }
    if (a->request_id[0]) {
        lua_pushstring(L, a->request_id);
        lua_setfield(L, -2, "cos_request_id");
    }
    if (l->kind == VOD_COS_PART) {
        vod_pushint(L, l->part);
        lua_setfield(L, -2, "part_number");
    }
    vod_pushint(L, l->attempts);
    lua_setfield(L, -2, "attempts");
    lua_pushboolean(L, a->outcome == VOD_COS_RETRY);
    lua_setfield(L, -2, "retryable");
}

/* The whole object's CRC-64 COS answered, against ours. 0, or the error pushed. */
static int crc_matches(lua_State *L, vod_upload *u, const char *answered, uint64_t ours,
                       const char *op)
{
    uint64_t theirs;
    if (!vod_cos_crc_of(answered, &theirs)) {
        push_error(L, u, VOD_E_CHECKSUM, op, "COS answered no x-cos-hash-crc64ecma for %s: the "
                   "object could not be checked end to end", cur(u)->key);
        return -1;
    }
    if (theirs != ours) {
        push_error(L, u, VOD_E_CHECKSUM, op, "the object %s is not what was sent: COS's CRC-64 is "
                   "%" PRIu64 ", the bytes sent have %" PRIu64, cur(u)->key, theirs, ours);
        lua_pushfstring(L, "%s", answered);
        lua_setfield(L, -2, "cos_crc64");
        return -1;
    }
    return 0;
}

static uint64_t combined_crc(const vod_upload *u)
{
    uint64_t crc = 0;
    for (unsigned i = 0; i < u->n_parts; i++)
        crc = i == 0 ? u->parts[i].crc : vod_crc64_combine(crc, u->parts[i].crc, u->parts[i].size);
    return crc;
}

/* The ETag COS gave a part or an object: the MD5 of what it got. 1 when it
 * matches what was sent (or when no Content-MD5 was computed). */
static int etag_ok(const vod_upload *u, const vod_lane *l, const char *etag)
{
    return !u->content_md5 || vod_md5_etag_matches(etag, strlen(etag), l->md5);
}

static int complete(lua_State *L, vod_upload *u, vod_lane *l);
static void hash_body(vod_upload *u, vod_lane *l, const vod_upart *p);
static int load(lua_State *L, vod_upload *u, vod_lane *l, unsigned long long offset,
                unsigned long long size, const vod_upart *p);

static int list_done(lua_State *L, vod_upload *u, vod_lane *l, vod_cos_xml_doc *d);

/* A COS request succeeded: what it means. */
static int cos_ok(lua_State *L, vod_upload *u, vod_lane *l, vod_cos_answer *a)
{
    vod_uobj *o = cur(u);
    switch (l->kind) {
    case VOD_COS_PUT:
        if (crc_matches(L, u, a->crc, l->crc, "PutObject") != 0) {
            fail(L, u, 0);
            return NEXT;
        }
        account(u, l->body_len);
        u->done_bytes += l->body_len;
        return next_object(L, u);
    case VOD_COS_INIT:
        free(u->upload_id);
        u->upload_id = a->doc.upload_id;
        a->doc.upload_id = NULL;
        u->ob = OB_PARTS;
        u->busy = 0;
        vod_debug(L, u->c, "upload: multipart upload %s of %s in parts of %llu bytes", u->upload_id,
                  o->key, u->part_size);
        checkpoint_save(L, u);
        if (l->part > 0) {                  /* a stream's first part, read before the decision */
            l->kind = VOD_COS_PART;
            u->flying++;
            u->parts[l->part - 1].state = VOD_PART_FLIGHT;
            return cos_job(L, u, l, VOD_COS_PART);
        }
        return NEXT;
    case VOD_COS_PART: {
        vod_upart *p = &u->parts[l->part - 1];
        snprintf(p->etag, sizeof p->etag, "%s", a->etag);
        p->crc = l->crc;
        p->state = VOD_PART_DONE;
        account(u, p->size);
        u->done_bytes += p->size;
        if (u->checkpoint != NULL && u->cur == 0 &&
            vod_ckpt_add_part(&u->ckpt, l->part, p->size, p->crc, p->etag) == 0)
            checkpoint_save(L, u);
        part_over(u, l);
        return NEXT;
    }
    case VOD_COS_COMPLETE:
    case VOD_COS_HEAD:
        if (l->kind == VOD_COS_COMPLETE && a->crc[0] == '\0') {
            u->ob = OB_HEAD;                /* the CRC comes with HEAD */
            return cos_job(L, u, l, VOD_COS_HEAD);
        }
        if (crc_matches(L, u, a->crc, combined_crc(u), vod_cos_op_name(l->kind)) != 0) {
            u->ob = OB_HEAD;                /* completed: nothing left to abort */
            fail(L, u, 0);
            return NEXT;
        }
        return next_object(L, u);
    case VOD_COS_ABORT:
        vod_debug(L, u->c, "upload: the multipart upload %s was aborted", u->upload_id);
        free(u->upload_id);
        u->upload_id = NULL;
        u->busy = 0;
        if (u->phase == PH_ABORT_OLD) {
            u->phase = PH_APPLY;
            return NEXT;
        }
        u->phase = PH_DONE;
        return NEXT;
    case VOD_COS_LIST:
        return list_done(L, u, l, &a->doc);
    default:
        return NEXT;
    }
}

/* A part digested ahead from an earlier read of the file, refused as
 * BadDigest (the file changed since, or the bytes were damaged on the way):
 * the retry's Content-MD5 is that of the bytes held, the part now read whole
 * (sent from the file as it was read, it is held first). 0, or the error
 * pushed. */
static int rehash(lua_State *L, vod_upload *u, vod_lane *l)
{
    vod_upart *p = &u->parts[l->part - 1];
    p->digested = 0;
    if (l->windowed)
        return load(L, u, l, p->offset, p->size, NULL);
    hash_body(u, l, NULL);
    return 0;
}

/* The exchange of a COS request ended. */
static int cos_answered(lua_State *L, vod_upload *u, vod_lane *l, int failed)
{
    vod_client *c = u->c;
    vod_cos_answer a;
    int r;
    l->attempts += l->x.sends > 1 ? l->x.sends : 1;
    if (l->x.sent && failed)
        l->ambiguous = 1;
    vod_cos_read(u, l, failed, &a);
    if (a.outcome == VOD_COS_OK && (l->kind == VOD_COS_PUT || l->kind == VOD_COS_PART)) {
        uint64_t crc;
        /* what COS got must be what was sent: the ETag (its MD5), and a part's CRC-64 */
        if (!etag_ok(u, l, a.etag) ||
            (l->kind == VOD_COS_PART && vod_cos_crc_of(a.crc, &crc) && crc != l->crc)) {
            a.outcome = VOD_COS_RETRY;
            snprintf(a.code, sizeof a.code, "%s", "BadDigest");
            char hex[VOD_MD5_HEX_LEN + 1];
            vod_md5_hex(l->md5, hex);
            snprintf(a.message, sizeof a.message, "what COS received differs from what was sent "
                     "(ETag %.60s, CRC-64 %.24s; sent MD5 %s, CRC-64 %" PRIu64 ", %zu bytes)", a.etag, a.crc,
                     hex, l->crc, l->body_len);
        }
    }
    if (a.outcome == VOD_COS_FINAL && l->kind == VOD_COS_COMPLETE && l->ambiguous &&
        strcmp(a.code, "NoSuchUpload") == 0) {
        /* an earlier Complete got through, its answer lost: check the object */
        vod_cos_xml_doc_free(&a.doc);
        u->ob = OB_HEAD;
        return cos_job(L, u, l, VOD_COS_HEAD);
    }
    if (a.outcome == VOD_COS_FINAL && l->kind == VOD_COS_ABORT && strcmp(a.code, "NoSuchUpload") == 0)
        a.outcome = VOD_COS_OK;
    switch (a.outcome) {
    case VOD_COS_OK:
        r = cos_ok(L, u, l, &a);
        vod_cos_xml_doc_free(&a.doc);
        return r;
    case VOD_COS_SKEWED: {
        time_t server = l->x.h1.date[0] ? curl_getdate(l->x.h1.date, NULL) : (time_t)-1;
        vod_cos_xml_doc_free(&a.doc);
        if (!l->skew_fixed && server != (time_t)-1) {
            l->skew_fixed = 1;
            u->cos_offset = (long long)server - (long long)time(NULL);
            u->key_start = (long long)cos_now(u) - 60;
            vod_debug(L, c, "upload: COS's clock is %llds from this one (its Date): signing again",
                      u->cos_offset);
            return cos_send(L, u, l);
        }
        a.outcome = VOD_COS_FINAL;
        break;
    }
    case VOD_COS_RETRY: {
        double delay = vod_retry_delay(&c->retry, l->retries + 1, &c->rng);
        if (c->retry.enabled && l->retries < c->retry.max &&
            vod_monotonic() - l->started + delay < c->retry.deadline) {
            l->retries++;
            if (l->kind == VOD_COS_PART && strcmp(a.code, "BadDigest") == 0 &&
                u->parts[l->part - 1].digested && rehash(L, u, l) != 0) {
                vod_cos_xml_doc_free(&a.doc);
                part_over(u, l);
                fail(L, u, 0);
                return NEXT;
            }
            vod_debug(L, c, "upload: %s%s%.0u failed (%s: %s): retry %d in %.3fs",
                      vod_cos_op_name(l->kind), l->kind == VOD_COS_PART ? " of part " : "",
                      l->kind == VOD_COS_PART ? l->part : 0, a.code, a.message, l->retries, delay);
            vod_cos_xml_doc_free(&a.doc);
            l->sleep = delay;
            l->job = J_SLEEP;
            return VOD_UOP_SLEEP;
        }
        break;
    }
    default:
        break;
    }
    cos_failed(L, u, l, &a);
    vod_cos_xml_doc_free(&a.doc);
    if (l->kind == VOD_COS_ABORT) {         /* reported, the upload's error stays */
        vod_debug(L, c, "upload: the multipart upload %s could not be aborted: %s", u->upload_id,
                  lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
        lua_pop(L, 1);
        u->busy = 0;
        u->phase = u->phase == PH_ABORT_OLD ? PH_APPLY : PH_DONE;
        return NEXT;
    }
    if (l->kind == VOD_COS_LIST) {          /* no resume: a new upload */
        vod_debug(L, c, "upload: checkpoint %s cannot be resumed (ListParts failed): a new upload "
                  "begins", u->checkpoint);
        lua_pop(L, 1);
        free_parts(u);
        u->busy = 0;
        u->phase = PH_APPLY;
        return NEXT;
    }
    part_over(u, l);
    fail(L, u, a.outcome == VOD_COS_RETRY || a.outcome == VOD_COS_SKEWED);
    return NEXT;
}

static int cos_step(lua_State *L, vod_upload *u, vod_lane *l, const vod_uev *ev)
{
    vod_xop op;
    if (u->phase >= PH_ABORT && l->kind != VOD_COS_ABORT) {
        /* the upload failed elsewhere: this request is cut short */
        part_over(u, l);
        l->job = J_IDLE;
        if (vod_x_holds_connection(&l->x)) {
            l->x.open = 0;
            return VOD_UOP_CLOSE;
        }
        return NEXT;
    }
    op = vod_x_next(&l->x, &ev->x, now_ms());
    switch (op) {
    case VOD_XOP_CONNECT: return VOD_UOP_CONNECT;
    case VOD_XOP_HANDSHAKE: return VOD_UOP_HANDSHAKE;
    case VOD_XOP_SEND: return VOD_UOP_SEND;
    case VOD_XOP_RECV: return VOD_UOP_RECV;
    case VOD_XOP_KEEP: return VOD_UOP_KEEP;
    case VOD_XOP_CLOSE: return VOD_UOP_CLOSE;
    default:
        l->job = J_IDLE;
        return cos_answered(L, u, l, op == VOD_XOP_FAILED);
    }
}

/* ---- a part's bytes -------------------------------------------------------- */

/* The body's digests: the part's, when they were computed ahead. */
static void hash_body(vod_upload *u, vod_lane *l, const vod_upart *p)
{
    if (p != NULL && p->digested) {
        l->crc = p->crc;
        memcpy(l->md5, p->md5, sizeof l->md5);
        return;
    }
    l->crc = vod_crc64_update(0, l->body_ptr, l->body_len);
    if (u->content_md5)
        vod_md5_digest(l->body_ptr, l->body_len, l->md5);
}

/* Reads size bytes at offset of the current object into the lane's body
 * (part p's, or NULL). A file's part whose digests were computed ahead is
 * not read here: it is sent from the file as it is read, a window at a time
 * (file_window.h), and the lane holds the window, not the part. 0, or the
 * error pushed. */
static int load(lua_State *L, vod_upload *u, vod_lane *l, unsigned long long offset,
                unsigned long long size, const vod_upart *p)
{
    vod_uobj *o = cur(u);
    l->windowed = 0;
    if (o->src == VOD_SRC_CONTENT) {
        l->body_ptr = o->content + offset;      /* the string itself: no copy */
        l->body_len = (size_t)size;
        hash_body(u, l, p);
        return 0;
    }
    if (p != NULL && p->digested) {
        if (vod_file_window_set(&l->win, o->fd, o->path, offset, (size_t)size) != 0) {
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory for a window of %d "
                           "bytes", VOD_FILE_WINDOW);
            return -1;
        }
        l->windowed = 1;
        l->body_ptr = NULL;
        l->body_len = (size_t)size;
        hash_body(u, l, p);
        return 0;
    }
    vod_buf_reset(&l->body);
    if (vod_buf_reserve(&l->body, (size_t)size) != 0) {
        vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory for a part of %llu bytes", size);
        return -1;
    }
    if (l->body.data != l->body_huge) {         /* a new buffer: before its first fill */
        vod_mem_prefer_huge(l->body.data, l->body.cap);
        l->body_huge = l->body.data;
    }
    while (l->body.len < size) {
        ssize_t n = pread(o->fd, l->body.data + l->body.len, (size_t)(size - l->body.len),
                          (off_t)(offset + l->body.len));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vod_error_push(L, VOD_E_FILE, "upload", "%s: %s", o->path,
                           n < 0 ? strerror(errno) : "the file shrank while it was being uploaded");
            return -1;
        }
        l->body.len += (size_t)n;
    }
    l->body_ptr = l->body.data;
    l->body_len = l->body.len;
    hash_body(u, l, p);
    return 0;
}

/* ---- a stream's bytes ------------------------------------------------------- */

/* The lane reads its part from the MediaReader: first what the last read
 * left over, then chunk after chunk. */
static int read_begin(lua_State *L, vod_upload *u, vod_lane *l)
{
    (void)L;
    vod_buf_reset(&l->body);
    l->windowed = 0;
    l->crc = 0;
    if (u->content_md5) {
        if (vod_part_digest_init(&l->dig) != 0) {
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
            fail(L, u, 0);
            return NEXT;
        }
        l->dig_on = 1;
    }
    u->reading = 1;
    l->job = J_READ;
    return NEXT - 2;            /* take the leftover, then ask */
}

/* What a stream's read fills: a part, or, for the one PUT of a stream whose
 * MediaSize is at most multipart_threshold, the whole object (which may be
 * more than a part). */
static unsigned long long fill_size(vod_upload *u)
{
    return u->ob == OB_SINGLE && cur(u)->size > 0 ? (unsigned long long)cur(u)->size : u->part_size;
}

/* Appends bytes to the lane's part (up to fill_size), the rest to the upload's leftover. */
static int take(vod_upload *u, vod_lane *l, const char *p, size_t n)
{
    size_t room = (size_t)fill_size(u) - l->body.len, k = n < room ? n : room;
    if (vod_buf_add(&l->body, p, k) != 0)
        return -1;
    if (l->dig_on)
        vod_part_digest_update(&l->dig, p, k);
    else
        l->crc = vod_crc64_update(l->crc, p, k);
    if (k < n) {
        vod_buf_reset(&u->fill);
        if (vod_buf_add(&u->fill, p + k, n - k) != 0)
            return -1;
    }
    return 0;
}

static int read_done(lua_State *L, vod_upload *u, vod_lane *l);

/* The leftover first; then READ while the part is not full. */
static int read_more(lua_State *L, vod_upload *u, vod_lane *l)
{
    if (u->fill.len > 0 && l->body.len < fill_size(u)) {
        vod_buf left = u->fill;
        memset(&u->fill, 0, sizeof u->fill);
        if (take(u, l, left.data, left.len) != 0) {
            vod_buf_free(&left, 0);
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
            fail(L, u, 0);
            return NEXT;
        }
        vod_buf_free(&left, 0);
    }
    /* the one PUT's read goes on to the stream's end: a reader that gives more
     * than MediaSize fails (read_returned), it is not cut */
    if (u->stream_eof || (l->body.len >= fill_size(u) && u->ob != OB_SINGLE))
        return read_done(L, u, l);
    l->job = J_READ;
    return VOD_UOP_READ;
}

static int read_returned(lua_State *L, vod_upload *u, vod_lane *l, int base)
{
    if (!lua_toboolean(L, base)) {          /* the reader raised */
        lua_pushvalue(L, base + 1);
        if (!vod_error_is(L, -1)) {
            const char *why = lua_tostring(L, -1);
            lua_pop(L, 1);
            vod_error_push(L, VOD_E_CALLBACK, "upload", "MediaReader raised an error: %s",
                           why ? why : luaL_typename(L, base + 1));
        }
        u->reading = 0;
        if (l->dig_on)
            vod_part_digest_free(&l->dig), l->dig_on = 0;
        part_over(u, l);
        fail(L, u, 0);
        return NEXT;
    }
    if (lua_isnil(L, base + 1)) {
        u->stream_eof = 1;
    } else if (lua_type(L, base + 1) != LUA_TSTRING) {
        u->reading = 0;
        part_over(u, l);
        vod_error_push(L, VOD_E_CALLBACK, "upload", "MediaReader must return a string, or nil at "
                       "the end, got %s", luaL_typename(L, base + 1));
        fail(L, u, 0);
        return NEXT;
    } else {
        size_t n;
        const char *p = lua_tolstring(L, base + 1, &n);
        if (take(u, l, p, n) != 0) {
            u->reading = 0;
            part_over(u, l);
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
            fail(L, u, 0);
            return NEXT;
        }
        u->stream_read += n;
        if (cur(u)->size >= 0 && u->stream_read > (unsigned long long)cur(u)->size) {
            u->reading = 0;
            part_over(u, l);
            vod_error_push(L, VOD_E_CALLBACK, "upload", "MediaReader gave more than MediaSize (%lld "
                           "bytes)", cur(u)->size);
            fail(L, u, 0);
            return NEXT;
        }
    }
    return read_more(L, u, l);
}

/* The lane's part is read (full, or the stream ended). */
static int read_done(lua_State *L, vod_upload *u, vod_lane *l)
{
    vod_uobj *o = cur(u);
    u->reading = 0;
    l->body_ptr = l->body.data ? l->body.data : "";
    l->body_len = l->body.len;
    if (l->dig_on) {
        l->crc = l->dig.crc;
        vod_part_digest_final(&l->dig, l->md5);
        vod_part_digest_free(&l->dig);
        l->dig_on = 0;
    } else if (u->content_md5) {
        vod_md5_digest(l->body_ptr, l->body_len, l->md5);
    }
    if (u->stream_eof && o->size >= 0 && u->stream_read != (unsigned long long)o->size) {
        part_over(u, l);
        vod_error_push(L, VOD_E_CALLBACK, "upload", "MediaReader ended after %llu bytes; MediaSize "
                       "says %lld", u->stream_read, o->size);
        fail(L, u, 0);
        return NEXT;
    }
    if (u->ob == OB_PROBE) {
        if (u->stream_eof && l->body_len <= u->threshold) {
            o->size = (long long)l->body_len;   /* small enough for one PUT */
            u->ob = OB_SINGLE;
            l->part = 0;
            return cos_job(L, u, l, VOD_COS_PUT);
        }
        u->multipart = 1;
        if (add_part(u, 0, l->body_len) != 0) {
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
            fail(L, u, 0);
            return NEXT;
        }
        l->part = 1;
        u->ob = OB_INIT;
        return cos_job(L, u, l, VOD_COS_INIT);
    }
    if (u->ob == OB_SINGLE) {
        l->part = 0;
        return cos_job(L, u, l, VOD_COS_PUT);
    }
    if (l->body_len == 0) {                 /* the stream ended right at a part's end */
        u->n_parts--;
        part_over(u, l);
        return NEXT;
    }
    u->parts[l->part - 1].size = l->body_len;
    return cos_job(L, u, l, VOD_COS_PART);
}

/* ---- the object's jobs -------------------------------------------------------- */

static int plan_parts(lua_State *L, vod_upload *u, long long size)
{
    unsigned long long ps = part_size_for(u, size), off;
    u->part_size = ps;
    u->ckpt.part_size = ps;
    free_parts(u);
    for (off = 0; off < (unsigned long long)size; off += ps)
        if (add_part(u, off, (unsigned long long)size - off < ps ? (unsigned long long)size - off : ps) != 0) {
            vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
            fail(L, u, 0);
            return -1;
        }
    u->multipart = 1;
    return 0;
}

static int object_start(lua_State *L, vod_upload *u, vod_lane *l)
{
    vod_uobj *o = cur(u);
    u->busy = 1;
    u->stream_read = 0;
    u->stream_eof = 0;
    snprintf(u->stage, sizeof u->stage, "%s", stage_of(u));
    if (o->src == VOD_SRC_FILE && o->fd < 0) {
        struct stat st;
        o->fd = open(o->path, O_RDONLY | O_CLOEXEC);
        if (o->fd < 0 || fstat(o->fd, &st) != 0) {
            vod_error_push(L, VOD_E_FILE, "upload", "%s: %s", o->path, strerror(errno));
            fail(L, u, 0);
            return NEXT;
        }
        o->size = (long long)st.st_size;
    }
    if (o->src == VOD_SRC_READER && (o->size < 0 || (unsigned long long)o->size > u->threshold)) {
        u->ob = OB_PROBE;                   /* read, then decide */
        l->part = 1;
        if (o->size > 0)
            u->part_size = part_size_for(u, o->size);
        return read_begin(L, u, l);
    }
    if ((unsigned long long)o->size <= u->threshold) {
        u->ob = OB_SINGLE;
        l->part = 0;
        if (o->src == VOD_SRC_READER)
            return read_begin(L, u, l);
        if (load(L, u, l, 0, (unsigned long long)o->size, NULL) != 0) {
            fail(L, u, 0);
            return NEXT;
        }
        return cos_job(L, u, l, VOD_COS_PUT);
    }
    if (plan_parts(L, u, o->size) != 0)
        return NEXT;
    u->ob = OB_INIT;
    l->part = 0;
    return cos_job(L, u, l, VOD_COS_INIT);
}

static int complete(lua_State *L, vod_upload *u, vod_lane *l)
{
    vod_cos_part_ref *all;
    char why[VOD_COS_XML_WHY_MAX];
    all = malloc(u->n_parts * sizeof *all);
    if (all == NULL) {
        vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
        fail(L, u, 0);
        return NEXT;
    }
    for (unsigned i = 0; i < u->n_parts; i++) {
        all[i].part_number = i + 1;         /* ascending, as COS wants them */
        all[i].etag = u->parts[i].etag;
    }
    if (vod_cos_xml_complete_body(&l->body, all, u->n_parts, why) != 0) {
        free(all);
        vod_error_push(L, VOD_E_INTERNAL, "CompleteMultipartUpload", "%s", why);
        fail(L, u, 0);
        return NEXT;
    }
    free(all);
    l->windowed = 0;
    l->body_ptr = l->body.data;
    l->body_len = l->body.len;
    u->ob = OB_COMPLETE;
    u->busy = 1;
    l->part = 0;
    return cos_job(L, u, l, VOD_COS_COMPLETE);
}

static int next_part(lua_State *L, vod_upload *u, vod_lane *l)
{
    vod_uobj *o = cur(u);
    if (o->src == VOD_SRC_READER) {
        if (!u->stream_eof && !u->reading) {
            if (add_part(u, 0, 0) != 0) {
                vod_error_push(L, VOD_E_OUT_OF_MEMORY, "upload", "out of memory");
                fail(L, u, 0);
                return NEXT;
            }
            if (u->n_parts > VOD_UPLOAD_MAX_PARTS) {
                vod_error_push(L, VOD_E_INVALID_OPTION, "upload", "the stream needs more than %d "
                               "parts of %llu bytes: give MediaSize or a larger part_size",
                               VOD_UPLOAD_MAX_PARTS, u->part_size);
                lua_pushliteral(L, "part_size");
                lua_setfield(L, -2, "option");
                fail(L, u, 0);
                return NEXT;
            }
            l->kind = VOD_COS_PART;
            l->part = u->n_parts;
            u->parts[l->part - 1].state = VOD_PART_FLIGHT;
            u->flying++;
            return read_begin(L, u, l);
        }
        if (u->stream_eof && u->flying == 0 && !u->reading)
            return complete(L, u, l);
        return VOD_UOP_WAIT;
    }
    while (u->next_part < u->n_parts && u->parts[u->next_part].state != VOD_PART_TODO)
        u->next_part++;
    if (u->next_part < u->n_parts && vod_ahead_busy(&u->ahead, u->next_part)) {
        l->job = J_AHEAD;                   /* its digests are on their way: yield */
        l->sleep = 0;
        return VOD_UOP_SLEEP;
    }
    if (u->next_part < u->n_parts) {
        vod_upart *p = &u->parts[u->next_part++];
        p->state = VOD_PART_FLIGHT;
        u->flying++;
        l->kind = VOD_COS_PART;
        l->part = (unsigned)(p - u->parts) + 1;
        if (load(L, u, l, p->offset, p->size, p) != 0) {
            part_over(u, l);
            fail(L, u, 0);
            return NEXT;
        }
        return cos_job(L, u, l, VOD_COS_PART);
    }
    if (u->flying == 0)
        return complete(L, u, l);
    return VOD_UOP_WAIT;
}

static int object_job(lua_State *L, vod_upload *u, vod_lane *l)
{
    switch (u->ob) {
    case OB_START:
        return u->busy ? VOD_UOP_WAIT : object_start(L, u, l);
    case OB_PARTS:
        return next_part(L, u, l);
    default:
        return VOD_UOP_WAIT;                /* one lane does it */
    }
}

/* ---- resuming ------------------------------------------------------------------ */

/* ListParts' page: the checkpoint's parts that COS has, with their ETags,
 * are done; so is a part COS has whose ETag is the MD5 of the file's bytes
 * (it completed just before the process died, the checkpoint not yet
 * written). The rest is sent. */
static int list_done(lua_State *L, vod_upload *u, vod_lane *l, vod_cos_xml_doc *d)
{
    for (size_t i = 0; i < d->n_parts; i++) {
        const vod_cos_xml_part *cp = &d->parts[i];
        vod_upart *p;
        if (cp->part_number < 1 || cp->part_number > u->n_parts)
            continue;
        p = &u->parts[cp->part_number - 1];
        if (cp->size != p->size)
            continue;
        if (p->state == VOD_PART_DONE && strcmp(p->etag, cp->etag) == 0) {
            p->state = VOD_PART_FLIGHT + 10;        /* confirmed */
            continue;
        }
        if (p->state != VOD_PART_DONE && load(L, u, l, p->offset, p->size, NULL) == 0 &&
            vod_md5_etag_matches(cp->etag, strlen(cp->etag), l->md5)) {
            snprintf(p->etag, sizeof p->etag, "%s", cp->etag);
            p->crc = l->crc;
            p->state = VOD_PART_FLIGHT + 10;
            vod_ckpt_add_part(&u->ckpt, cp->part_number, p->size, p->crc, p->etag);
        } else if (lua_gettop(L) > 0 && vod_error_is(L, -1)) {
            lua_pop(L, 1);
        }
    }
    if (d->is_truncated == 1 && d->next_part_number_marker > 0) {
        l->list_marker = (unsigned long long)d->next_part_number_marker;
        return cos_job(L, u, l, VOD_COS_LIST);
    }
    {
        unsigned kept = 0;
        for (unsigned i = 0; i < u->n_parts; i++) {
            vod_upart *p = &u->parts[i];
            if (p->state == VOD_PART_FLIGHT + 10) {
                p->state = VOD_PART_DONE;
                u->done_bytes += p->size;
                u->what_done += p->size;
                kept++;
            } else {
                p->state = VOD_PART_TODO;
            }
        }
        vod_debug(L, u->c, "upload: resuming the multipart upload %s from checkpoint %s: %u of %u "
                  "parts already in COS", u->upload_id, u->checkpoint, kept, u->n_parts);
    }
    u->resumed = 1;
    account(u, 0);
    u->busy = 0;
    u->phase = PH_OBJECT;
    u->ob = OB_PARTS;
    return NEXT;
}

/* ---- API calls ------------------------------------------------------------------ */

static int call_job(lua_State *L, vod_upload *u, vod_lane *l, int kind)
{
    static const char *const actions[] = { "", "ApplyUpload", "ParseStreamingManifest", "CommitUpload" };
    const char *action = actions[kind];
    vod_call *k;
    int params;
    u->busy = 1;
    snprintf(u->stage, sizeof u->stage, "%s", kind == CALL_APPLY ? "apply" : kind == CALL_COMMIT ?
             "commit" : "media");
    if (vod_upload_call_params(L, u, kind == CALL_APPLY ? 0 : kind == CALL_MANIFEST ? 1 : 2) != 0) {
        fail(L, u, 0);
        return NEXT;
    }
    params = lua_gettop(L);
    k = vod_call_push(L);
    vod_call_start(L, k, u->c, u->driver, action, params, vod_model_action(action, strlen(action)));
    /* an unused session costs nothing, and a parse changes nothing: both may
     * be repeated after an ambiguous failure; CommitUpload may not */
    if (kind != CALL_COMMIT)
        k->idempotent = 1;
    l->call_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);                          /* the parameters */
    l->call_kind = kind;
    l->job = J_CALL;
    return VOD_UOP_CALL;
}

static const char *str_field(lua_State *L, int t, const char *name)
{
    lua_getfield(L, t, name);
    if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        return NULL;
    }
    lua_pop(L, 1);                          /* the table holds it */
    lua_getfield(L, t, name);
    {
        const char *s = lua_tostring(L, -1);
        lua_pop(L, 1);
        return s;
    }
}

static int applied(lua_State *L, vod_upload *u, int res)
{
    const char *bucket = str_field(L, res, "StorageBucket"), *region = str_field(L, res, "StorageRegion");
    const char *session = str_field(L, res, "VodSessionKey"), *media = str_field(L, res, "MediaStoragePath");
    const char *cover = str_field(L, res, "CoverStoragePath");
    const char *id = NULL, *key = NULL, *token = NULL;
    long long expired = 0;
    char why[300];
    lua_getfield(L, res, "TempCertificate");
    if (lua_type(L, -1) == LUA_TTABLE) {
        int t = lua_gettop(L);
        id = str_field(L, t, "SecretId");
        key = str_field(L, t, "SecretKey");
        token = str_field(L, t, "Token");
        lua_getfield(L, t, "ExpiredTime");
        if (!vod_tointegral(L, -1, &expired))
            expired = 0;
        lua_pop(L, 1);
    }
    if (bucket == NULL || region == NULL || session == NULL || media == NULL || id == NULL ||
        key == NULL || expired <= 0 || media[0] != '/' || (u->cover_type[0] && (cover == NULL ||
        cover[0] != '/'))) {
        lua_pop(L, 1);
        vod_error_push(L, VOD_E_MALFORMED, "ApplyUpload", "ApplyUpload's answer lacks %s",
                       bucket == NULL ? "StorageBucket" : region == NULL ? "StorageRegion" :
                       session == NULL ? "VodSessionKey" : media == NULL ? "MediaStoragePath" :
                       id == NULL || key == NULL || expired <= 0 ? "a TempCertificate" :
                       media[0] != '/' ? "a MediaStoragePath beginning with '/'" : "a CoverStoragePath");
        fail(L, u, 0);
        return NEXT;
    }
    if (vod_upload_session(u, bucket, region, session, media, cover, id, key, token, expired, why) != 0) {
        lua_pop(L, 1);
        vod_error_push(L, VOD_E_INVALID_OPTION, "upload", "%s", why);
        lua_pushliteral(L, "cos_endpoint");
        lua_setfield(L, -2, "option");
        fail(L, u, 0);
        return NEXT;
    }
    lua_pop(L, 1);
    vod_debug(L, u->c, "upload: session %s: bucket %s in %s, media at %s%s%s, credentials until %lld",
              session, bucket, region, media, cover ? ", cover at " : "", cover ? cover : "", expired);
    u->phase = u->manifest ? PH_MANIFEST : PH_OBJECT;
    u->busy = 0;
    u->cur = 0;
    u->ob = OB_START;
    return NEXT;
}

static int call_returned(lua_State *L, vod_upload *u, vod_lane *l, int base)
{
    int kind = l->call_kind;
    luaL_unref(L, LUA_REGISTRYINDEX, l->call_ref);
    l->call_ref = LUA_NOREF;
    l->job = J_IDLE;
    if (!lua_toboolean(L, base)) {
        lua_pushvalue(L, base + 1);
        if (!vod_error_is(L, -1)) {
            const char *why = lua_tostring(L, -1);
            lua_pop(L, 1);
            vod_error_push(L, VOD_E_INTERNAL, "upload", "%s", why ? why : "an error");
        }
        if (kind == CALL_COMMIT) {
            int ambiguous;
            const char *code;
            lua_getfield(L, -1, "ambiguous");
            ambiguous = lua_toboolean(L, -1);
            lua_getfield(L, -2, "code");
            code = lua_tostring(L, -1);
            if (ambiguous && !u->commit_retried) {
                /* its answer lost: once more; a refusal then says it got through */
                u->commit_retried = 1;
                vod_debug(L, u->c, "upload: CommitUpload may have reached the API (%s): once more",
                          code ? code : "?");
                lua_pop(L, 3);
                u->busy = 0;
                return NEXT;
            }
            if (u->commit_retried && code != NULL &&
                strcmp(code, "InvalidParameterValue.VodSessionKey") == 0) {
                lua_pop(L, 3);
                vod_error_push(L, VOD_E_MAYBE_COMMITTED, "CommitUpload", "CommitUpload's answer was "
                               "lost and its retry was refused (InvalidParameterValue.VodSessionKey): "
                               "the first attempt may have committed the upload; look the media up "
                               "(VodSessionKey %s, storage path %s) before uploading again",
                               u->session, u->media_path);
                lua_pushstring(L, u->session);
                lua_setfield(L, -2, "vod_session_key");
                lua_pushstring(L, u->media_path);
                lua_setfield(L, -2, "storage_path");
                vod_pushint(L, 2);
                lua_setfield(L, -2, "attempts");
                lua_pushboolean(L, 1);
                lua_setfield(L, -2, "ambiguous");
                lua_pushboolean(L, 0);
                lua_setfield(L, -2, "retryable");
            } else {
                lua_pop(L, 2);
            }
        }
        fail(L, u, 0);
        return NEXT;
    }
    switch (kind) {
    case CALL_APPLY:
        return applied(L, u, base + 1);
    case CALL_MANIFEST:
        if (vod_upload_segments(L, u, base + 1) != 0) {
            fail(L, u, 0);
            return NEXT;
        }
        u->phase = PH_OBJECT;
        u->busy = 0;
        u->cur = 0;
        u->ob = OB_START;
        return NEXT;
    default:                                /* CALL_COMMIT */
        lua_pushvalue(L, base + 1);
        u->result_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        if (u->checkpoint != NULL)
            unlink(u->checkpoint);
        vod_debug(L, u->c, "upload: committed (%.3fs)", vod_monotonic() - u->started);
        u->busy = 0;
        u->phase = PH_DONE;
        return NEXT;
    }
}

/* ---- the lanes ------------------------------------------------------------------ */

static vod_uop idle(lua_State *L, vod_upload *u, vod_lane *l)
{
    if (progress_now(u)) {
        u->in_progress = 1;
        l->job = J_PROGRESS;
        return VOD_UOP_PROGRESS;
    }
    switch (u->phase) {
    case PH_RESUME:
        if (u->busy)
            return VOD_UOP_WAIT;
        u->busy = 1;
        l->list_marker = 0;
        return (vod_uop)cos_job(L, u, l, VOD_COS_LIST);
    case PH_ABORT_OLD:
        if (u->busy)
            return VOD_UOP_WAIT;
        u->busy = 1;
        return (vod_uop)cos_job(L, u, l, VOD_COS_ABORT);
    case PH_APPLY:
        return u->busy ? VOD_UOP_WAIT : (vod_uop)call_job(L, u, l, CALL_APPLY);
    case PH_MANIFEST:
        return u->busy ? VOD_UOP_WAIT : (vod_uop)call_job(L, u, l, CALL_MANIFEST);
    case PH_OBJECT:
        return (vod_uop)object_job(L, u, l);
    case PH_COMMIT:
        if (u->in_progress)
            return VOD_UOP_WAIT;            /* the last progress comes before the answer */
        return u->busy ? VOD_UOP_WAIT : (vod_uop)call_job(L, u, l, CALL_COMMIT);
    case PH_ABORT:
        if (u->busy || u->flying > 0)
            return VOD_UOP_WAIT;            /* no part still on its way */
        if (u->upload_id != NULL) {
            u->busy = 1;
            return (vod_uop)cos_job(L, u, l, VOD_COS_ABORT);
        }
        u->phase = PH_DONE;
        /* fall through */
    default:
        if (u->in_progress)
            return VOD_UOP_WAIT;
        l->job = J_DONE;
        /* a part's buffer, now: the box that holds it may wait long for the GC */
        vod_buf_free(&l->body, 0);
        vod_file_window_free(&l->win);
        l->windowed = 0;
        l->body_ptr = NULL;
        l->body_len = 0;
        return VOD_UOP_DONE;
    }
}

vod_uop vod_upload_step(lua_State *L, vod_upload *u, int i, const vod_uev *ev)
{
    static const vod_uev none;
    vod_lane *l = &u->lanes[i];
    int base = lua_gettop(L), r = NEXT, began;
    /* a slice of the digests ahead, whichever lane steps */
    if (u->phase == PH_OBJECT && u->multipart && (u->ob == OB_INIT || u->ob == OB_PARTS) &&
        (began = vod_ahead_step(u)) > 0)
        vod_debug(L, u->c, "upload: parts %u to %u (%d of them) hashed ahead together (multi-buffer "
                  "MD5, %s)", u->ahead.part[0] + 1, u->ahead.part[began - 1] + 1, began,
                  vod_md5_mb_name(u->ahead.impl));
    switch (l->job) {
    case J_CALL:
        r = call_returned(L, u, l, ev->base);
        break;
    case J_READ:
        l->job = J_IDLE;                    /* read_more asks again when the part wants more */
        r = read_returned(L, u, l, ev->base);
        break;
    case J_PROGRESS:
        u->in_progress = 0;
        l->job = J_IDLE;
        if (!lua_toboolean(L, ev->base)) {  /* progress raised: the upload stops */
            lua_pushvalue(L, ev->base + 1);
            if (!vod_error_is(L, -1)) {
                const char *why = lua_tostring(L, -1);
                lua_pop(L, 1);
                vod_error_push(L, VOD_E_CALLBACK, "upload", "the progress function raised an "
                               "error: %s", why ? why : "?");
            }
            fail(L, u, 1);      /* a caller's stop (Ctrl-C): with a checkpoint, resumable */
        }
        break;
    case J_SLEEP:
        r = cos_send(L, u, l);
        break;
    case J_AHEAD:                           /* yielded: its part's digests may be there */
        l->job = J_IDLE;
        break;
    case J_COS:
        r = cos_step(L, u, l, ev);
        break;
    case J_DONE:
        return VOD_UOP_DONE;
    default:
        break;
    }
    for (;;) {
        if (r == NEXT - 1) {                /* a COS request begins */
            r = cos_step(L, u, l, &none);
            continue;
        }
        if (r == NEXT - 2) {                /* a lane reads its part */
            r = read_more(L, u, l);
            continue;
        }
        if (r != NEXT)
            break;
        r = (int)idle(L, u, l);
    }
    lua_settop(L, base);
    return (vod_uop)r;
}

int vod_upload_result(lua_State *L, vod_upload *u)
{
    if (u->error_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->error_ref);
        return lua_error(L);
    }
    if (u->result_ref == LUA_NOREF)
        return vod_error_raise(L, VOD_E_INTERNAL, "upload", "the upload ended without an answer");
    lua_rawgeti(L, LUA_REGISTRYINDEX, u->result_ref);
    return 1;
}

/* ---- the beginning, and the end ------------------------------------------------- */

/* A checkpoint of this file, whose session still has time: resume (ListParts
 * first). One that cannot be resumed (the file changed, the part size, the
 * session expired) gives way to a new upload, its old one aborted while its
 * credentials last; the debug sink says which. */
void vod_upload_begin(lua_State *L, vod_upload *u)
{
    vod_ckpt k;
    char why[VOD_CKPT_WHY_MAX], swhy[300];
    const char *reason = NULL;
    struct stat st;
    int rc;
    u->started = vod_monotonic();
    u->phase = PH_APPLY;
    if (u->checkpoint == NULL)
        return;
    rc = vod_ckpt_read(u->checkpoint, &k, why);
    if (rc == 1)
        return;
    if (rc != 0) {
        vod_debug(L, u->c, "upload: checkpoint %s is not used: %s", u->checkpoint, why);
        return;
    }
    if (stat(u->objs[0].path, &st) != 0 || k.file == NULL || strcmp(k.file, u->objs[0].path) != 0)
        reason = "it is another file's";
    else if (k.size != (long long)st.st_size || k.mtime_s != (long long)st.st_mtim.tv_sec ||
             k.mtime_ns != (long long)st.st_mtim.tv_nsec)
        reason = "the file changed since";
    else if ((double)k.expired - vod_wallclock() < 2 * EXPIRY_MARGIN)
        reason = "its session has expired";
    else if (k.part_size < VOD_UPLOAD_MIB || k.part_size > 5 * 1024 * VOD_UPLOAD_MIB ||
             ((unsigned long long)k.size + k.part_size - 1) / k.part_size > VOD_UPLOAD_MAX_PARTS)
        reason = "its part_size is not one COS allows";
    if (vod_upload_session(u, k.bucket, k.region, k.session, k.media_path, k.cover_path,
                           k.secret_id, k.secret_key, k.token, k.expired, swhy) != 0) {
        vod_debug(L, u->c, "upload: checkpoint %s is not used: %s", u->checkpoint, swhy);
        vod_ckpt_free(&k);
        return;
    }
    u->upload_id = k.upload_id;
    k.upload_id = NULL;
    if (reason != NULL) {
        int can_abort = (double)k.expired - vod_wallclock() > EXPIRY_MARGIN;
        vod_debug(L, u->c, "upload: checkpoint %s cannot be resumed (%s): a new upload begins%s",
                  u->checkpoint, reason, can_abort ? ", and the old one is aborted" :
                  "; the old one's credentials have expired: COS's lifecycle rules remove it");
        vod_ckpt_free(&k);
        if (can_abort) {
            u->phase = PH_ABORT_OLD;
            return;
        }
        free(u->upload_id);
        u->upload_id = NULL;
        return;
    }
    /* the same file, in its session: its parts as planned then */
    u->part_size = k.part_size;
    u->objs[0].size = (long long)st.st_size;
    {
        char *id = u->upload_id;             /* plan_parts forgets the upload */
        u->upload_id = NULL;
        if (plan_parts(L, u, u->objs[0].size) != 0) {
            free(id);
            vod_ckpt_free(&k);
            return;
        }
        u->upload_id = id;
    }
    u->part_size = k.part_size;
    for (size_t i = 0; i < k.n_parts; i++) {
        vod_ckpt_part *cp = &k.parts[i];
        if (cp->number >= 1 && cp->number <= u->n_parts) {
            vod_upart *p = &u->parts[cp->number - 1];
            p->state = VOD_PART_DONE;
            p->crc = cp->crc;
            snprintf(p->etag, sizeof p->etag, "%s", cp->etag);
        }
    }
    /* what the checkpoint goes on to hold: the parts ListParts confirms */
    k.n_parts = 0;
    vod_ckpt_free(&u->ckpt);                /* what vod_upload_session put there */
    u->ckpt = k;
    u->objs[0].fd = open(u->objs[0].path, O_RDONLY | O_CLOEXEC);
    u->cur = 0;
    u->ob = OB_PARTS;
    u->phase = PH_RESUME;
}

static void lane_free(lua_State *L, vod_lane *l)
{
    vod_x_free(&l->x);
    vod_buf_free(&l->wire, 1);
    vod_buf_free(&l->body, 0);
    vod_file_window_free(&l->win);
    if (l->dig_on)
        vod_part_digest_free(&l->dig);
    l->dig_on = 0;
    if (l->call_ref != LUA_NOREF && l->call_ref != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, l->call_ref);
    l->call_ref = LUA_NOREF;
}

static void unref(lua_State *L, int *ref)
{
    if (*ref != LUA_NOREF && *ref != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, *ref);
    *ref = LUA_NOREF;
}

void vod_upload_free(lua_State *L, vod_upload *u)
{
    for (int i = 0; i < u->n_lanes; i++)
        lane_free(L, &u->lanes[i]);
    u->n_lanes = 0;
    for (size_t i = 0; i < u->n_objs; i++) {
        vod_uobj *o = &u->objs[i];
        if (o->fd >= 0)
            close(o->fd);
        free(o->path);
        free(o->key);
        free(o->segment);
        unref(L, &o->content_ref);
    }
    free(u->objs);
    u->objs = NULL;
    u->n_objs = 0;
    free_parts(u);
    vod_buf_free(&u->fill, 0);
    free(u->session);
    free(u->bucket);
    free(u->region);
    free(u->media_path);
    free(u->cover_path);
    free(u->checkpoint);
    u->session = u->bucket = u->region = u->media_path = u->cover_path = u->checkpoint = NULL;
    vod_cos_signer_free(&u->signer);
    vod_route_free(&u->route);
    vod_ckpt_free(&u->ckpt);
    unref(L, &u->params_ref);
    unref(L, &u->progress_ref);
    unref(L, &u->reader_ref);
    unref(L, &u->result_ref);
    unref(L, &u->error_ref);
    unref(L, &u->client_ref);
}
