#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <mbedtls/platform_util.h>

void vod_proxy_wipe(vod_proxy *p)
{
    mbedtls_platform_zeroize(p->password, sizeof p->password);
    mbedtls_platform_zeroize(p, sizeof *p);
}

static int fail(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%s", msg);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into out (cap bytes with the NUL). -1: a bad
 * escape, -2: too long, -3: a control character or NUL once decoded. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n)
                return -1;
            h = hexval(s[i + 1]);
            l = hexval(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f)
            return -3;
        if (o + 1 >= cap)
            return -2;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

/* Parses digits s[0..n) as a port 1..65535, or returns -1. */
static int parse_port(const char *s, size_t n)
{
    long v = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535 ? (int)v : -1;
}

int vod_proxy_parse(const char *s, size_t len, int scheme_optional, vod_proxy *p, char *why,
                    size_t n)
{
    static const struct { const char *name; vod_proxy_kind kind; int port; } schemes[] = {
        { "http", VOD_PROXY_HTTP, 80 },
        { "https", VOD_PROXY_HTTPS, 443 },
        { "socks5", VOD_PROXY_SOCKS5, 1080 },
        { "socks5h", VOD_PROXY_SOCKS5H, 1080 },
    };
    const char *sep, *auth, *end, *at, *hp, *host, *host_end, *port_s = NULL;
    int dflt = 80, k;
    size_t hl;

    memset(p, 0, sizeof *p);
    if (len == 0)
        return fail(why, n, "must not be empty (use false for no proxy)");
    if (len > VOD_PROXY_URL_MAX)
        return fail(why, n, "must be at most 1024 characters");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return fail(why, n, "must not contain spaces, control or non-ASCII characters "
                                "(percent-encode them in the user name or password)");
    }
    sep = NULL;
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            sep = s + i;
            break;
        }
        if (s[i] == '/' || s[i] == '@')
            break;
    }
    if (sep != NULL) {
        size_t sl = (size_t)(sep - s);
        for (k = 0; k < 4; k++)
            if (strlen(schemes[k].name) == sl && strncasecmp(s, schemes[k].name, sl) == 0)
                break;
        if (k == 4) {
            char msg[160];
            snprintf(msg, sizeof msg, "has the scheme '%.*s'; it must be http, https, socks5 or "
                     "socks5h", sl > 16 ? 16 : (int)sl, s);
            return fail(why, n, msg);
        }
        p->kind = schemes[k].kind;
        snprintf(p->scheme, sizeof p->scheme, "%s", schemes[k].name);
        dflt = schemes[k].port;
        auth = sep + 3;
    } else if (scheme_optional) {
        p->kind = VOD_PROXY_HTTP;
        snprintf(p->scheme, sizeof p->scheme, "http");
        auth = s;
    } else {
        return fail(why, n, "must be a URL scheme://[user:password@]host[:port] with the "
                            "scheme http, https, socks5 or socks5h");
    }
    end = s + len;
    /* the authority ends at a path, query or fragment; only "/" may follow */
    for (const char *q = auth; q < end; q++) {
        if (*q == '/' || *q == '?' || *q == '#') {
            if (!(*q == '/' && q + 1 == end))
                return fail(why, n, "must not have a path, query or fragment (percent-encode "
                                    "'/', '?', '#' and '@' in the user name or password)");
            end = q;
            break;
        }
    }
    at = NULL;
    for (const char *q = auth; q < end; q++)
        if (*q == '@')
            at = q;                 /* the last '@': a raw one in a password still works */
    hp = auth;
    if (at != NULL) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        const char *ue = colon ? colon : at;
        int rc = decode(auth, (size_t)(ue - auth), p->user, sizeof p->user);
        if (rc == 0 && colon)
            rc = decode(colon + 1, (size_t)(at - colon - 1), p->password, sizeof p->password);
        if (rc == -1)
            return fail(why, n, "has a bad percent-escape in its user name or password");
        if (rc == -2)
            return fail(why, n, "has a user name or password longer than 255 bytes");
        if (rc == -3)
            return fail(why, n, "has a control character in its user name or password");
        if (p->user[0] == '\0')
            return fail(why, n, "has an empty user name before '@'");
        if (strchr(p->user, ':') != NULL)
            return fail(why, n, "has a ':' in its user name");
        p->has_auth = 1;
        hp = at + 1;
    }
    /* host[:port] or [v6][:port] */
    if (hp < end && *hp == '[') {
        const char *rb = memchr(hp, ']', (size_t)(end - hp));
        unsigned char bin[16];
        char v6[64];
        if (rb == NULL)
            return fail(why, n, "has an unclosed '[' in its host");
        hl = (size_t)(rb - hp - 1);
        if (hl == 0 || hl >= sizeof v6)
            return fail(why, n, "has an invalid IPv6 address");
        memcpy(v6, hp + 1, hl);
        v6[hl] = '\0';
        if (inet_pton(AF_INET6, v6, bin) != 1)
            return fail(why, n, "has an invalid IPv6 address");
        host = hp + 1;
        host_end = rb;
        if (rb + 1 < end) {
            if (rb[1] != ':')
                return fail(why, n, "must have ':port' after its IPv6 address");
            port_s = rb + 2;
        }
    } else {
        const char *colon = end > hp ? memchr(hp, ':', (size_t)(end - hp)) : NULL;
        host = hp;
        host_end = colon ? colon : end;
        if (colon)
            port_s = colon + 1;
        for (const char *q = host; q < host_end; q++)
            if (!is_name_char(*q))
                return fail(why, n, "has a host that is not a name or an IP address "
                                    "(letters, digits, '.', '-', '_'; [IPv6])");
    }
    hl = (size_t)(host_end - host);
    if (hl == 0)
        return fail(why, n, "has no host");
    if (hl > 253)
        return fail(why, n, "has a host longer than 253 characters");
    for (size_t i = 0; i < hl; i++) {
        char c = host[i];
        p->host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    p->host[hl] = '\0';
    if (port_s != NULL) {
        p->port = parse_port(port_s, (size_t)(end - port_s));
        if (p->port < 0)
            return fail(why, n, "has a port that is not a number from 1 to 65535");
    } else {
        p->port = dflt;
    }
    {
        int v6 = strchr(p->host, ':') != NULL;
        snprintf(p->hostport, sizeof p->hostport, "%s%s%s:%d", v6 ? "[" : "", p->host,
                 v6 ? "]" : "", p->port);
    }
    snprintf(p->url, sizeof p->url, "%s://%s", p->scheme, p->hostport);
    if (p->has_auth) {
        /* the user name as written (still percent-encoded): printable, not secret */
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        size_t ul = (size_t)((colon ? colon : at) - auth);
        snprintf(p->shown, sizeof p->shown, "%s://%.*s:***@%s", p->scheme,
                 (int)(ul > 255 ? 255 : ul), auth, p->hostport);
    } else {
        snprintf(p->shown, sizeof p->shown, "%s", p->url);
    }
    return 0;
}

/* ---- NO_PROXY ---- */

/* Parses an IPv4 or IPv6 literal into bin; returns the family's byte count
 * (4 or 16) or 0. */
static int ip_literal(const char *s, size_t n, unsigned char bin[16])
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, bin) == 1)
        return 4;
    if (inet_pton(AF_INET6, buf, bin) == 1)
        return 16;
    return 0;
}

static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    return ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

/* One entry e[0..n) against the host (bare, lower case, no trailing dot). */
static int entry_matches(const char *e, size_t n, const char *host, size_t hl,
                         const unsigned char *hbin, int hfam, int port)
{
    const char *slash;
    size_t colons = 0;
    if (n == 1 && e[0] == '*')
        return 1;
    for (size_t i = 0; i < n; i++)
        colons += e[i] == ':';
    /* an optional :port; a bare IPv6 address has several colons and no port */
    if (n > 0 && e[0] == '[') {
        const char *rb = memchr(e, ']', n);
        if (rb == NULL)
            return 0;
        if ((size_t)(rb - e) + 1 < n) {
            if (rb[1] != ':' || parse_port(rb + 2, n - (size_t)(rb - e) - 2) != port)
                return 0;
        }
        e++;
        n = (size_t)(rb - e);
    } else if (colons == 1) {
        const char *c = memchr(e, ':', n);
        int p = parse_port(c + 1, n - (size_t)(c - e) - 1);
        if (p < 0 || p != port)
            return 0;
        n = (size_t)(c - e);
    }
    if (n == 0)
        return 0;
    slash = memchr(e, '/', n);
    if (slash != NULL) {                /* CIDR */
        unsigned char net[16];
        int fam = ip_literal(e, (size_t)(slash - e), net), bits = 0;
        size_t bl = n - (size_t)(slash - e) - 1;
        if (fam == 0 || fam != hfam || bl == 0 || bl > 3)
            return 0;
        for (size_t i = 0; i < bl; i++) {
            if (slash[1 + i] < '0' || slash[1 + i] > '9')
                return 0;
            bits = bits * 10 + (slash[1 + i] - '0');
        }
        if (bits > fam * 8)
            return 0;
        return prefix_equal(net, hbin, bits);
    }
    {
        unsigned char bin[16];
        int fam = ip_literal(e, n, bin);
        if (fam != 0)
            return fam == hfam && memcmp(bin, hbin, (size_t)fam) == 0;
    }
    if (hfam != 0)
        return 0;                       /* names never match an address */
    if (n >= 2 && e[0] == '*' && e[1] == '.') {
        e += 2;
        n -= 2;
    } else if (e[0] == '.') {
        e++;
        n--;
    }
    if (n > 0 && e[n - 1] == '.')
        n--;
    if (n == 0 || n > hl)
        return 0;
    if (strncasecmp(host + hl - n, e, n) != 0)
        return 0;
    return n == hl || host[hl - n - 1] == '.';
}

int vod_no_proxy_match(const char *list, const char *host_in, int port)
{
    char host[256];
    unsigned char hbin[16];
    size_t hl = strlen(host_in);
    int hfam;
    if (list == NULL)
        return 0;
    if (hl >= 2 && host_in[0] == '[' && host_in[hl - 1] == ']') {
        host_in++;
        hl -= 2;
    }
    if (hl > 0 && host_in[hl - 1] == '.')
        hl--;
    if (hl == 0 || hl >= sizeof host)
        return 0;
    for (size_t i = 0; i < hl; i++) {
        char c = host_in[i];
        host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    host[hl] = '\0';
    hfam = ip_literal(host, hl, hbin);
    for (const char *p = list; *p;) {
        const char *e = p, *stop = strchr(p, ',');
        size_t n;
        if (stop == NULL)
            stop = p + strlen(p);
        while (e < stop && (*e == ' ' || *e == '\t'))
            e++;
        n = (size_t)(stop - e);
        while (n > 0 && (e[n - 1] == ' ' || e[n - 1] == '\t'))
            n--;
        if (n > 0 && entry_matches(e, n, host, hl, hbin, hfam, port))
            return 1;
        p = *stop ? stop + 1 : stop;
    }
    return 0;
}

/* ---- the environment ---- */

static const char *env1(vod_getenv_fn get, const char *name)
{
    const char *v = get(name);
    return v != NULL && *v != '\0' ? v : NULL;
}

const char *vod_proxy_from_env(vod_getenv_fn get, int https, const char *host, int port,
                               const char **var, const char **bypass)
{
    /* lower case first, as curl and Python read them; HTTP_PROXY is not
     * trusted in a CGI process (REQUEST_METHOD set), where a request's
     * "Proxy:" header arrives as HTTP_PROXY (the "httpoxy" hole) */
    const char *names[4];
    const char *v = NULL, *no;
    int k = 0;
    if (https) {
        names[k++] = "https_proxy";
        names[k++] = "HTTPS_PROXY";
    } else {
        names[k++] = "http_proxy";
        if (env1(get, "REQUEST_METHOD") == NULL)
            names[k++] = "HTTP_PROXY";
    }
    names[k++] = "all_proxy";
    names[k++] = "ALL_PROXY";
    *var = NULL;
    *bypass = NULL;
    for (int i = 0; i < k && v == NULL; i++)
        if ((v = env1(get, names[i])) != NULL)
            *var = names[i];
    if (v == NULL)
        return NULL;
    if ((no = env1(get, "no_proxy")) != NULL)
        *bypass = "no_proxy";
    else if ((no = env1(get, "NO_PROXY")) != NULL)
        *bypass = "NO_PROXY";
    if (no != NULL && vod_no_proxy_match(no, host, port))
        return NULL;
    *bypass = NULL;
    return v;
}
