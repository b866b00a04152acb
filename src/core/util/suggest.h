/* "Did you mean ...?" for unknown parameter and option names. No Lua here. */
#ifndef VOD_SUGGEST_H
#define VOD_SUGGEST_H

#include <stddef.h>

/* Returns the candidate closest to name (case-insensitive edit distance), or
 * NULL when none is close enough to be a plausible typo. */
const char *vod_suggest(const char *name, size_t len, const char *const *candidates, size_t n);

#endif
