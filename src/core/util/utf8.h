/* UTF-8 checks shared by the encoder and the parameter rules. No Lua here. */
#ifndef VOD_UTF8_H
#define VOD_UTF8_H

#include <stddef.h>

/* Returns the number of code points in s[0..len), or (size_t)-1 when s is not
 * well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF are
 * rejected). *bad receives the byte offset of the first bad sequence. */
size_t vod_utf8_count(const char *s, size_t len, size_t *bad);

#endif
