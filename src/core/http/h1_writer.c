/* The HTTP/1.1 request writer (h1_writer.h). */
#include "h1_writer.h"

#include <string.h>

int vod_h1w_request_line(vod_buf *b, const char *method, const char *target, size_t tlen)
{
    return vod_buf_addstr(b, method) || vod_buf_addc(b, ' ') || vod_buf_add(b, target, tlen) ||
           vod_buf_add(b, " HTTP/1.1\r\n", 11) ? -1 : 0;
}

int vod_h1w_header(vod_buf *b, const char *name, const char *value, size_t vlen)
{
    return vod_buf_addstr(b, name) || vod_buf_add(b, ": ", 2) || vod_buf_add(b, value, vlen) ||
           vod_buf_add(b, "\r\n", 2) ? -1 : 0;
}

int vod_h1w_line(vod_buf *b, const char *line)
{
    size_t n = strlen(line);
    if (n == 0 || line[n - 1] == ':')
        return 0;
    return vod_buf_add(b, line, n) || vod_buf_add(b, "\r\n", 2) ? -1 : 0;
}

int vod_h1w_host(vod_buf *b, const char *authority, int https)
{
    size_t hl = strlen(authority);
    const char *port = authority[0] == '[' ? memchr(authority, ']', hl) : authority;
    port = port ? memchr(port, ':', hl - (size_t)(port - authority)) : NULL;
    if (port != NULL) {
        size_t pl = hl - (size_t)(port - authority);
        if ((https && pl == 4 && memcmp(port, ":443", 4) == 0) ||
            (!https && pl == 3 && memcmp(port, ":80", 3) == 0))
            hl = (size_t)(port - authority);
    }
    return vod_h1w_header(b, "Host", authority, hl);
}

int vod_h1w_end(vod_buf *b, unsigned long long content_length)
{
    char d[24];
    int i = (int)sizeof d;
    do {
        d[--i] = (char)('0' + content_length % 10);
        content_length /= 10;
    } while (content_length);
    return vod_buf_add(b, "Content-Length: ", 16) || vod_buf_add(b, d + i, sizeof d - (size_t)i) ||
           vod_buf_add(b, "\r\n\r\n", 4) ? -1 : 0;
}

int vod_h1w_end_bare(vod_buf *b)
{
    return vod_buf_add(b, "\r\n", 2);
}
