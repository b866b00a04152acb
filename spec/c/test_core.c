/* Unit tests of the Lua-free helpers: UTF-8 counting, name suggestions, the
 * byte buffer. Prints one line per failed check and "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "suggest.h"
#include "utf8.h"

#include "check.h"

static size_t count(const char *s) { return vod_utf8_count(s, strlen(s), NULL); }

static void test_utf8(void)
{
    size_t bad = 99;
    CHECK(count("") == 0, "empty");
    CHECK(count("hero") == 4, "ascii");
    CHECK(count("\xe4\xb8\xbb\xe4\xbd\x93") == 2, "two CJK characters");
    CHECK(count("\xf0\x9f\x98\x80") == 1, "4-byte emoji");
    CHECK(vod_utf8_count("a\0b", 3, NULL) == 3, "NUL is a code point here");
    CHECK(vod_utf8_count("ab\xff", 3, &bad) == (size_t)-1 && bad == 2, "0xff rejected at offset 2");
    CHECK(count("\xc0\xaf") == (size_t)-1, "overlong '/' rejected");
    CHECK(count("\xe0\x80\xaf") == (size_t)-1, "overlong 3-byte rejected");
    CHECK(count("\xed\xa0\x80") == (size_t)-1, "surrogate rejected");
    CHECK(count("\xf4\x90\x80\x80") == (size_t)-1, "past U+10FFFF rejected");
    CHECK(count("\xe4\xb8") == (size_t)-1, "truncated sequence rejected");
    CHECK(count("\x80") == (size_t)-1, "lone continuation rejected");
    CHECK(count("\xf4\x8f\xbf\xbf") == 1, "U+10FFFF accepted");
}

static void test_suggest(void)
{
    static const char *const names[] = { "SubAppId", "SubjectName", "SubjectImages",
                                         "SubjectVideos", "SessionId", "TasksPriority" };
    const char *s;
    s = vod_suggest("SubjectImage", 12, names, 6);
    CHECK(s && strcmp(s, "SubjectImages") == 0, "SubjectImage -> SubjectImages");
    s = vod_suggest("subappid", 8, names, 6);
    CHECK(s && strcmp(s, "SubAppId") == 0, "case-insensitive");
    s = vod_suggest("TaskPriority", 12, names, 6);
    CHECK(s && strcmp(s, "TasksPriority") == 0, "TaskPriority -> TasksPriority");
    CHECK(vod_suggest("Colour", 6, names, 6) == NULL, "nothing close: no suggestion");
    CHECK(vod_suggest("", 0, names, 6) == NULL, "empty name: no suggestion");
}

static void test_buf(void)
{
    vod_buf b = { 0 };
    int rc = 0;
    for (int i = 0; i < 1000; i++)
        rc |= vod_buf_addstr(&b, "0123456789");
    CHECK(rc == 0 && b.len == 10000, "grows to 10000 bytes");
    CHECK(strlen(vod_buf_cstr(&b)) == 10000, "NUL-terminated");
    vod_buf_reset(&b);
    CHECK(b.len == 0 && b.cap >= 10001, "reset keeps the memory");
    CHECK(vod_buf_reserve(&b, (size_t)-1) == -1, "absurd reserve refused");
    vod_buf_free(&b, 1);
    CHECK(b.data == NULL && b.cap == 0, "freed");
    vod_buf_free(&b, 1);
    CHECK(b.data == NULL, "free twice is safe");
}

int main(void)
{
    test_utf8();
    test_suggest();
    test_buf();
    return check_report();
}
