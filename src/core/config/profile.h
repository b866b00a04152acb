/* The credentials profile file of the official SDKs (~/.tencentcloud/credentials):
 * INI text with [section] headers, "key = value" lines, '#' and ';' comment
 * lines and blank lines; whitespace around names and values is trimmed and
 * CRLF line ends are tolerated. No Lua here, no allocation in the parser. */
#ifndef VOD_PROFILE_H
#define VOD_PROFILE_H

#include <stddef.h>

#include "buf.h"

#define VOD_PROFILE_MAX_FILE (1024 * 1024)     /* a credentials file is small */

typedef enum vod_profile_status {
    VOD_PROFILE_OK = 0,         /* the section was found (keys may still be missing) */
    VOD_PROFILE_NO_SECTION,     /* the file has no such section */
    VOD_PROFILE_MALFORMED,      /* a line is none of the above (line number in `line`) */
    VOD_PROFILE_NOT_FOUND,      /* vod_profile_load: the file does not exist */
    VOD_PROFILE_UNREADABLE      /* vod_profile_load: it exists but cannot be read (errno in err) */
} vod_profile_status;

typedef struct vod_profile {
    /* Point into the parsed text (NUL-terminated in place); NULL when absent. */
    const char *secret_id, *secret_key, *token;
    size_t secret_id_len, secret_key_len, token_len;
    int line;                   /* VOD_PROFILE_MALFORMED: the 1-based line number */
} vod_profile;

/* Reads the whole file at path into b (emptied first). Returns VOD_PROFILE_OK,
 * VOD_PROFILE_NOT_FOUND or VOD_PROFILE_UNREADABLE (with *err an errno value,
 * EFBIG when larger than VOD_PROFILE_MAX_FILE, ENOMEM when out of memory). */
vod_profile_status vod_profile_load(const char *path, vod_buf *b, int *err);

/* Parses text[0..len) (modified in place: values are cut out and
 * NUL-terminated, so text needs len + 1 bytes) and fills *out with the keys
 * secret_id, secret_key and token of [section]. When the section appears
 * more than once, the later keys win; other keys are ignored. The whole text
 * is checked: any malformed line gives VOD_PROFILE_MALFORMED. */
vod_profile_status vod_profile_parse(char *text, size_t len, const char *section,
                                     vod_profile *out);

#endif
