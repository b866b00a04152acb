/* libFuzzer harness for vod_profile_parse (src/core/config/profile.h).
 *
 * The first input byte picks the section looked up ("default", "a" or
 * "prod"); the rest is the file. Any found value must lie inside the text,
 * be NUL-terminated at its length, hold no line break and not start or end
 * with a space; a malformed verdict must name a line that exists. Any
 * violation aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

static void check_value(const char *v, size_t len, const char *text, size_t n)
{
    if (v == NULL)
        return;
    if (v < text || v + len > text + n || v[len] != '\0')
        abort();
    if (memchr(v, '\n', len) != NULL)
        abort();
    if (len > 0 && (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' || v[len - 1] == '\t' ||
                    v[len - 1] == '\r'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sections[] = { "default", "a", "prod" };
    const char *section;
    char *text;
    size_t n, lines = 1;
    vod_profile p;
    vod_profile_status st;
    if (size == 0)
        return 0;
    section = sections[data[0] % 3];
    n = size - 1;
    text = malloc(n + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, n);
    text[n] = '\0';
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    st = vod_profile_parse(text, n, section, &p);
    if (st == VOD_PROFILE_MALFORMED && (p.line < 1 || (size_t)p.line > lines))
        abort();
    if (st == VOD_PROFILE_OK) {
        check_value(p.secret_id, p.secret_id_len, text, n);
        check_value(p.secret_key, p.secret_key_len, text, n);
        check_value(p.token, p.token_len, text, n);
    } else if (p.secret_id || p.secret_key || p.token) {
        if (st != VOD_PROFILE_MALFORMED)
            abort();        /* not found: nothing may be reported */
    }
    free(text);
    return 0;
}
