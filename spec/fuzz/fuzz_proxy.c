/* libFuzzer harness for src/core/config/proxy.c: proxy URLs (from options and from the
 * environment, so outside input) and NO_PROXY lists.
 *
 * Input: the first byte picks the mode; then for a URL the rest is the URL,
 * for NO_PROXY the rest is "list\0host". Properties checked:
 *  - a parsed proxy has a host, a port 1..65535, and its printable forms are
 *    NUL-terminated, without control characters, built from the parts alone
 *    (the password appears in none: `shown` is user:***@hostport exactly);
 *  - the libcurl URL it yields parses again to the same kind, host and port;
 *  - a failure leaves a reason and never crashes;
 *  - a NO_PROXY list with a "*" entry matches every host, and appending
 *    entries never turns a match into a miss. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_proxy: %s\n", what);
    abort();
}

static void printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        fail("an unterminated field");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            fail("a control character in a printable field");
}

static void url(const char *s, size_t len, int optional)
{
    static vod_proxy p, q;
    char why[200], expect[600];
    why[0] = '\0';
    if (vod_proxy_parse(s, len, optional, &p, why, sizeof why) != 0) {
        if (why[0] == '\0')
            fail("a failure without a reason");
        return;
    }
    if (p.kind == VOD_PROXY_NONE || p.host[0] == '\0' || p.port < 1 || p.port > 65535)
        fail("a parsed proxy without kind, host or port");
    printable(p.url, sizeof p.url);
    printable(p.shown, sizeof p.shown);
    printable(p.hostport, sizeof p.hostport);
    if (p.has_auth) {
        /* the user as written: up to the first ':' before the last '@' of the authority */
        const char *auth = strstr(s, "://") ? strstr(s, "://") + 3 : s;
        size_t al = strcspn(auth, "/?#"), at = 0, ul;
        for (size_t i = 0; i < al; i++)
            if (auth[i] == '@')
                at = i;
        ul = strcspn(auth, ":");
        if (ul > at)
            ul = at;
        if (ul > 255)
            ul = 255;
        snprintf(expect, sizeof expect, "%s://%.*s:***@%s", p.scheme, (int)ul, auth, p.hostport);
    } else {
        snprintf(expect, sizeof expect, "%s", p.url);
    }
    if (strcmp(expect, p.shown) != 0)
        fail("shown is not scheme://user:***@host:port");
    if (vod_proxy_parse(p.url, strlen(p.url), 0, &q, why, sizeof why) != 0)
        fail("the libcurl URL does not parse again");
    if (q.kind != p.kind || q.port != p.port || strcmp(q.host, p.host) != 0 || q.has_auth)
        fail("the libcurl URL parses to another proxy");
    vod_proxy_wipe(&p);
    if (p.password[0] != '\0' || p.kind != VOD_PROXY_NONE)
        fail("wipe left something");
}

static void no_proxy(const char *s, size_t len)
{
    const char *nul = memchr(s, '\0', len);
    char list[600], host[300];
    size_t ll, hl;
    int m, port = len ? (unsigned char)s[len - 1] * 256 + 1 : 443;
    if (nul == NULL)
        return;
    ll = (size_t)(nul - s);
    hl = len - ll - 1;
    if (ll > 500 || hl > 280)
        return;
    memcpy(list, s, ll);
    list[ll] = '\0';
    memcpy(host, nul + 1, hl);
    host[hl] = '\0';
    m = vod_no_proxy_match(list, host, port);
    strcat(list, ",*");
    {
        /* "*" matches every host that is something once "[...]" and a final "." are off */
        const char *h = host;
        size_t t = strlen(host);
        if (t >= 2 && h[0] == '[' && h[t - 1] == ']') {
            h++;
            t -= 2;
        }
        if (t > 0 && h[t - 1] == '.')
            t--;
        if (t > 0 && strlen(host) < 255 && !vod_no_proxy_match(list, host, port))
            fail("a list with '*' missed a host");
    }
    list[ll] = '\0';
    strcat(list, ",zz.invalid");
    if (m && !vod_no_proxy_match(list, host, port))
        fail("appending an entry turned a match into a miss");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static char buf[4096];
    size_t n = size - 1 < sizeof buf - 1 ? size - 1 : sizeof buf - 1;
    memcpy(buf, data + 1, n);
    buf[n] = '\0';                      /* the parsers take a length; the checks here use C strings */
    switch (data[0] % 3) {
    case 0: url(buf, n, 0); break;
    case 1: url(buf, n, 1); break;
    default: no_proxy(buf, n); break;
    }
    return 0;
}
