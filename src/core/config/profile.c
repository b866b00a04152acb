#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

vod_profile_status vod_profile_load(const char *path, vod_buf *b, int *err)
{
    FILE *f;
    char chunk[4096];
    size_t n;
    b->len = 0;
    *err = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        *err = errno;
        return errno == ENOENT || errno == ENOTDIR ? VOD_PROFILE_NOT_FOUND : VOD_PROFILE_UNREADABLE;
    }
    errno = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b->len + n > VOD_PROFILE_MAX_FILE) {
            *err = EFBIG;
            break;
        }
        if (vod_buf_add(b, chunk, n) != 0) {
            *err = ENOMEM;
            break;
        }
    }
    if (*err == 0 && ferror(f))
        *err = errno ? errno : EIO;     /* EISDIR for a directory */
    if (*err == 0 && vod_buf_reserve(b, 0) != 0)
        *err = ENOMEM;
    fclose(f);
    if (*err != 0) {
        b->len = 0;
        return VOD_PROFILE_UNREADABLE;
    }
    b->data[b->len] = '\0';
    return VOD_PROFILE_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims [*s, *e) of spaces on both ends. */
static void trim(char **s, char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

vod_profile_status vod_profile_parse(char *text, size_t len, const char *section,
                                     vod_profile *out)
{
    char *p = text, *end = text + len;
    int line = 0, in_section = 0, found = 0;
    size_t slen = strlen(section);
    memset(out, 0, sizeof *out);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)    /* a UTF-8 byte order mark */
        p += 3;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *s = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        line++;
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *ns = s + 1, *ne;
            if (e[-1] != ']' || e - s < 2) {
                out->line = line;
                return VOD_PROFILE_MALFORMED;
            }
            ne = e - 1;
            trim(&ns, &ne);
            in_section = (size_t)(ne - ns) == slen && memcmp(ns, section, slen) == 0;
            found |= in_section;
            continue;
        }
        {
            char *eq = memchr(s, '=', (size_t)(e - s));
            char *ks = s, *ke = eq, *vs, *ve = e;
            if (eq == NULL) {
                out->line = line;
                return VOD_PROFILE_MALFORMED;
            }
            trim(&ks, &ke);
            if (ks == ke) {
                out->line = line;
                return VOD_PROFILE_MALFORMED;
            }
            vs = eq + 1;
            trim(&vs, &ve);
            if (!in_section)
                continue;
            *ve = '\0';     /* e <= the '\n' or end, which has room for a NUL */
#define KEY_IS(name) ((size_t)(ke - ks) == sizeof name - 1 && memcmp(ks, name, sizeof name - 1) == 0)
            if (KEY_IS("secret_id")) {
                out->secret_id = vs;
                out->secret_id_len = (size_t)(ve - vs);
            } else if (KEY_IS("secret_key")) {
                out->secret_key = vs;
                out->secret_key_len = (size_t)(ve - vs);
            } else if (KEY_IS("token")) {
                out->token = vs;
                out->token_len = (size_t)(ve - vs);
            }
#undef KEY_IS
        }
    }
    return found ? VOD_PROFILE_OK : VOD_PROFILE_NO_SECTION;
}
