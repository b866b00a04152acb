/* The HTTP/1.1 request writer of both transports: the engine writes every
 * request it sends (the API's POST, a CONNECT to a proxy, the metadata GET,
 * COS's PUT/POST/GET/DELETE/HEAD) into a buffer with these, and a driver
 * moves the bytes. No I/O, no Lua. Values were checked for CR and LF before
 * they got here (an option, a header the engine made): the writer does not
 * look again. RFC 9112 for the syntax. */
#ifndef VOD_H1_WRITER_H
#define VOD_H1_WRITER_H

#include <stddef.h>

#include "buf.h"

/* "METHOD target HTTP/1.1\r\n". 0, or -1 out of memory (for all of these). */
int vod_h1w_request_line(vod_buf *b, const char *method, const char *target, size_t tlen);

/* "Name: value\r\n". */
int vod_h1w_header(vod_buf *b, const char *name, const char *value, size_t vlen);

/* A whole header line as the client keeps them ("Name: value"); a line
 * that is only "Name:" means "no such header" and writes nothing. */
int vod_h1w_line(vod_buf *b, const char *line);

/* "Host: host[:port]\r\n" for authority "host[:port]" (an IPv6 address in
 * brackets), the port left out when it is the scheme's own (as curl does). */
int vod_h1w_host(vod_buf *b, const char *authority, int https);

/* "Content-Length: n\r\n\r\n": the end of the head. */
int vod_h1w_end(vod_buf *b, unsigned long long content_length);

/* "\r\n": the end of a head without a body or a length (GET, HEAD, CONNECT). */
int vod_h1w_end_bare(vod_buf *b);

#endif
