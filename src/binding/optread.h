/* Reading vod.new's options table: shared by the option reader (options.c)
 * and the credential chain (creds_read.c). */
#ifndef VOD_OPTREAD_H
#define VOD_OPTREAD_H

#include <stddef.h>
#include <lua.h>

/* Raises ClientError.InvalidOption "option 'name' <fmt...>" with err.option. */
int vod_opt_error(lua_State *L, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Pushes t[name], read raw: pointers into the table's strings stay valid. */
void vod_opt_raw(lua_State *L, int t, const char *name);
/* t[name] as a string, NULL when nil (or t == 0); raises for another type. */
const char *vod_opt_string(lua_State *L, int t, const char *name, size_t *len);
/* Printable ASCII (a space only with allow_space): safe in a header line. */
int vod_opt_printable(const char *s, size_t n, int allow_space);

#endif
