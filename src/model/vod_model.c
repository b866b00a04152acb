/* Lookups in the generated model tables (vod_model_data.c): binary searches
 * over names kept in strcmp order by the generator. */
#include "vod_model.h"

/* strcmp order between a NUL-ended table name and a counted key. A key
 * holding a NUL byte compares above the name that ends there, so it matches
 * nothing (and a NUL-free key orders exactly as strcmp would). */
static int compare(const char *name, const char *key, size_t len)
{
    const unsigned char *a = (const unsigned char *)name, *b = (const unsigned char *)key;
    for (size_t i = 0; i < len; i++) {
        if (a[i] == '\0')
            return -1;          /* the name is a prefix of the key (or the key has a NUL) */
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return a[len] != '\0';      /* the key is a proper prefix of the name */
}

const vod_maction *vod_model_action(const char *name, size_t len)
{
    size_t lo = 0, hi = vod_model_nactions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(vod_maction_name(&vod_model_actions[mid]), name, len);
        if (c == 0)
            return &vod_model_actions[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const vod_maction *vod_model_action_by_method(const char *name, size_t len)
{
    size_t lo = 0, hi = vod_model_nactions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const vod_maction *a = &vod_model_actions[vod_model_by_method[mid]];
        int c = compare(vod_maction_method(a), name, len);
        if (c == 0)
            return a;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const vod_mstruct *vod_model_struct(const char *name, size_t len)
{
    size_t lo = 0, hi = vod_model_nstructs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(vod_mstruct_name(&vod_model_structs[mid]), name, len);
        if (c == 0)
            return &vod_model_structs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const vod_mfield *vod_model_field(const vod_mstruct *s, const char *name, size_t len)
{
    const vod_mfield *f = vod_model_fields + s->first;
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(vod_mfield_name(&f[mid]), name, len);
        if (c == 0)
            return &f[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
