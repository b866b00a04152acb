/* What the harnesses that build Lua values from fuzz input share: the input
 * read as a little program, byte by byte. FUZZ_NAME names the harness in
 * die()'s message. */
#ifndef VOD_FUZZ_PROG_H
#define VOD_FUZZ_PROG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prog {
    const uint8_t *p, *end;
} prog;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s\n", FUZZ_NAME, what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static int more(const prog *g) { return g->p < g->end; }

static unsigned byte(prog *g)
{
    return g->p < g->end ? *g->p++ : 0;
}

static void take(prog *g, void *out, size_t n)
{
    size_t have = (size_t)(g->end - g->p);
    memset(out, 0, n);
    memcpy(out, g->p, have < n ? have : n);
    g->p += have < n ? have : n;
}

#endif
