/* bench only: process CPU time from getrusage(2), and the resident set. */
#include <stdio.h>
#include <sys/resource.h>
#include <lua.h>
#include <lauxlib.h>

static int cpu(lua_State *L)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    lua_pushnumber(L, (lua_Number)ru.ru_utime.tv_sec + (lua_Number)ru.ru_utime.tv_usec / 1e6);
    lua_pushnumber(L, (lua_Number)ru.ru_stime.tv_sec + (lua_Number)ru.ru_stime.tv_usec / 1e6);
    return 2;                           /* user, sys (seconds) */
}

static int rss_kb(lua_State *L)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    lua_pushnumber(L, (lua_Number)resident * 4);
    return 1;
}

__attribute__((visibility("default"))) int luaopen_rusage(lua_State *L);
int luaopen_rusage(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, cpu);
    lua_setfield(L, -2, "cpu");
    lua_pushcfunction(L, rss_kb);
    lua_setfield(L, -2, "rss_kb");
    return 1;
}
