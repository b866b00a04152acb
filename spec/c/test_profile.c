/* Unit tests of the profile-file parser (src/core/config/profile.c). Prints one line per
 * failed check and "N passed, N failed". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#include "check.h"

static char text[4096];

static vod_profile_status parse(const char *src, const char *section, vod_profile *p)
{
    size_t n = strlen(src);
    memcpy(text, src, n + 1);
    return vod_profile_parse(text, n, section, p);
}

static int is(const char *got, size_t len, const char *want)
{
    return got != NULL && len == strlen(want) && memcmp(got, want, len) == 0 && got[len] == '\0';
}

static void test_parse(void)
{
    vod_profile p;
    CHECK(parse("[default]\nsecret_id = AKID1\nsecret_key=key1\n", "default", &p) == VOD_PROFILE_OK,
          "default section found");
    CHECK(is(p.secret_id, p.secret_id_len, "AKID1") && is(p.secret_key, p.secret_key_len, "key1") &&
          p.token == NULL, "keys trimmed and NUL-terminated, no token");
    CHECK(parse("\xEF\xBB\xBF# c\r\n; c\r\n\r\n  [ prod ]  \r\n\tsecret_id\t=\tA B \r\ntoken = t=1\r\n"
                "secret_key = k", "prod", &p) == VOD_PROFILE_OK, "BOM, CRLF, comments, spaced header");
    CHECK(is(p.secret_id, p.secret_id_len, "A B"), "inner spaces kept");
    CHECK(is(p.token, p.token_len, "t=1"), "value may hold '='");
    CHECK(is(p.secret_key, p.secret_key_len, "k"), "last line without a newline");
    CHECK(parse("[a]\nsecret_id = 1\n[b]\nsecret_id = 2\n[a]\nsecret_id = 3\nregion = x\n", "a", &p) ==
          VOD_PROFILE_OK && is(p.secret_id, p.secret_id_len, "3"), "a repeated section: later wins");
    CHECK(p.secret_key == NULL, "missing key stays NULL");
    CHECK(parse("[a]\nsecret_id = 1\n", "default", &p) == VOD_PROFILE_NO_SECTION, "no such section");
    CHECK(parse("", "default", &p) == VOD_PROFILE_NO_SECTION, "empty file");
    CHECK(parse("secret_id = 1\n", "default", &p) == VOD_PROFILE_NO_SECTION, "keys before any section");
    CHECK(parse("[default]\nsecret_id = 1\nsecret_key\n", "default", &p) == VOD_PROFILE_MALFORMED &&
          p.line == 3, "a line without '=' is malformed (line 3)");
    CHECK(parse("[default\n", "default", &p) == VOD_PROFILE_MALFORMED && p.line == 1, "unclosed '['");
    CHECK(parse("[x]\n = v\n", "default", &p) == VOD_PROFILE_MALFORMED && p.line == 2, "empty key");
    CHECK(parse("[x]\nk = v\n[y\n", "x", &p) == VOD_PROFILE_MALFORMED && p.line == 3,
          "malformed after the section is still reported");
    CHECK(parse("[default]\nsecret_id =\n", "default", &p) == VOD_PROFILE_OK && p.secret_id != NULL &&
          p.secret_id_len == 0, "empty value");
    CHECK(parse("[defaultx]\n", "default", &p) == VOD_PROFILE_NO_SECTION, "prefix is not a match");
}

static void test_load(void)
{
    vod_buf b = { 0 };
    int err = 0;
    char path[] = "/tmp/vod_profile_XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    CHECK(vod_profile_load("/nonexistent/credentials", &b, &err) == VOD_PROFILE_NOT_FOUND &&
          err == ENOENT, "missing file");
    CHECK(vod_profile_load("/tmp", &b, &err) == VOD_PROFILE_UNREADABLE && err == EISDIR, "a directory");
    f = fdopen(fd, "wb");
    fputs("[default]\nsecret_id = x\n", f);
    fclose(f);
    CHECK(vod_profile_load(path, &b, &err) == VOD_PROFILE_OK && b.len == 24 && b.data[24] == '\0',
          "read whole, NUL-terminated");
    f = fopen(path, "wb");
    for (int i = 0; i < VOD_PROFILE_MAX_FILE / 32; i++)
        fputs("# padding padding padding padding padding padding padding pad\n", f);
    fclose(f);
    CHECK(vod_profile_load(path, &b, &err) == VOD_PROFILE_UNREADABLE && err == EFBIG, "too large");
    unlink(path);
    vod_buf_free(&b, 1);
}

int main(void)
{
    test_parse();
    test_load();
    return check_report();
}
