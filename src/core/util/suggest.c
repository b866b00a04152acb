#include "suggest.h"

#include <ctype.h>
#include <string.h>

#define MAXN 64

static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[MAXN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *vod_suggest(const char *name, size_t len, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    if (len > MAXN)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(candidates[i]);
        size_t d, limit;
        if (lc > MAXN)
            continue;
        d = distance(name, len, candidates[i], lc);
        limit = lc / 3 > 2 ? lc / 3 : 2;   /* a typo or two, more for long names */
        if (d <= limit && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}
