/* Unit tests of the pushed events' signature (src/core/sign/event_sign.c):
 * Sign = lowercase hex MD5(SignKey + T), checked against vectors computed
 * with Python's hashlib; malformed Sign and T; the expiry; the order of the
 * verdicts. Prints one line per failed check and "N passed, N failed". */
#include <string.h>

#include "event_sign.h"

#include "check.h"

typedef struct vector {
    const char *key, *t, *sign;
} vector;

/* python3 -c 'import hashlib; print(hashlib.md5((key + t).encode()).hexdigest())' */
static const vector vectors[] = {
    { "abc123", "1700000000", "c7f13d9712607facf2852c93b90a15b5" },
    { "TestSignKey2024", "4102444800", "d02a1b47d87ac25b858c666dbf7408e0" },
    { "k", "0", "28d61f7b1f07d88c18f1068410d140b5" },
    { "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6", "1893456000", "7d31c4f537ec6b1199f440c14836d6ee" },
};

static vod_esign check(const char *sign, const char *t, const char *key, double now)
{
    return vod_event_sign_check(sign, sign ? strlen(sign) : 0, t, t ? strlen(t) : 0, key,
                                strlen(key), now);
}

int main(void)
{
    char out[VOD_EVENT_SIGN_LEN + 1], upper[VOD_EVENT_SIGN_LEN + 1];
    long long v = -1;

    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *x = &vectors[i];
        CHECK(vod_event_sign(x->key, strlen(x->key), x->t, strlen(x->t), out) == 0, "signs");
        CHECK(strcmp(out, x->sign) == 0, "MD5(key + T), lowercase hex");
        CHECK(check(x->sign, x->t, x->key, 0) == VOD_ESIGN_OK, "its own Sign is valid before T");
    }

    /* the expiry: valid up to and at T, expired a moment after */
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000000", "abc123", 1700000000.0) ==
              VOD_ESIGN_OK, "valid at T itself");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000000", "abc123", 1700000000.5) ==
              VOD_ESIGN_EXPIRED, "expired after T");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000000", "abc123", 1800000000.0) ==
              VOD_ESIGN_EXPIRED, "expired long after T");

    /* upper-case hex is the same signature */
    strcpy(upper, "C7F13D9712607FACF2852C93B90A15B5");
    CHECK(check(upper, "1700000000", "abc123", 0) == VOD_ESIGN_OK, "upper-case hex accepted");

    /* tampering */
    CHECK(check("c7f13d9712607facf2852c93b90a15b6", "1700000000", "abc123", 0) ==
              VOD_ESIGN_MISMATCH, "last digit changed");
    CHECK(check("d7f13d9712607facf2852c93b90a15b5", "1700000000", "abc123", 0) ==
              VOD_ESIGN_MISMATCH, "first digit changed");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000001", "abc123", 0) ==
              VOD_ESIGN_MISMATCH, "T moved: the Sign no longer matches");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000000", "abc124", 0) ==
              VOD_ESIGN_MISMATCH, "another key");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "01700000000", "abc123", 0) ==
              VOD_ESIGN_MISMATCH, "T's text is signed as sent: a leading zero changes it");
    /* a wrong Sign on an expired message is wrong, not merely expired */
    CHECK(check("c7f13d9712607facf2852c93b90a15b6", "1700000000", "abc123", 1800000000.0) ==
              VOD_ESIGN_MISMATCH, "mismatch before expiry");

    /* malformed */
    CHECK(check(NULL, "1700000000", "abc123", 0) == VOD_ESIGN_BAD_SIGN, "no Sign");
    CHECK(check("", "1700000000", "abc123", 0) == VOD_ESIGN_BAD_SIGN, "empty Sign");
    CHECK(check("c7f13d9712607facf2852c93b90a15b", "1700000000", "abc123", 0) == VOD_ESIGN_BAD_SIGN,
          "31 digits");
    CHECK(check("c7f13d9712607facf2852c93b90a15b55", "1700000000", "abc123", 0) ==
              VOD_ESIGN_BAD_SIGN, "33 digits");
    CHECK(check("g7f13d9712607facf2852c93b90a15b5", "1700000000", "abc123", 0) ==
              VOD_ESIGN_BAD_SIGN, "a letter that is not hex");
    CHECK(vod_event_sign_check("c7f13d9712607facf2852c93b90a15\0" "5", 32, "1700000000", 10,
                               "abc123", 6, 0) == VOD_ESIGN_BAD_SIGN, "a NUL byte inside");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", NULL, "abc123", 0) == VOD_ESIGN_BAD_T, "no T");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "", "abc123", 0) == VOD_ESIGN_BAD_T, "empty T");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "-1700000000", "abc123", 0) == VOD_ESIGN_BAD_T,
          "negative T");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "17e8", "abc123", 0) == VOD_ESIGN_BAD_T,
          "T with an exponent");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1700000000.0", "abc123", 0) == VOD_ESIGN_BAD_T,
          "T with a fraction");
    CHECK(check("c7f13d9712607facf2852c93b90a15b5", "1234567890123456789", "abc123", 0) ==
              VOD_ESIGN_BAD_T, "T of 19 digits");

    CHECK(vod_event_t_parse("123456789012345678", 18, &v) == 0 && v == 123456789012345678LL,
          "18 digits parse");
    CHECK(vod_event_t_parse("0", 1, &v) == 0 && v == 0, "0 parses");
    CHECK(vod_event_t_parse(" 1", 2, &v) == -1, "no spaces");

    /* the reasons never hold the key (they are constants) */
    for (int r = VOD_ESIGN_OK; r <= VOD_ESIGN_INTERNAL; r++)
        CHECK(strstr(vod_event_sign_reason((vod_esign)r), "abc123") == NULL &&
                  strlen(vod_event_sign_reason((vod_esign)r)) > 10, "a sentence for each verdict");
    return check_report();
}
