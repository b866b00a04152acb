/* The C unit tests' check macro and summary (one test program per file):
 * CHECK(cond, what) counts, prints one line per failed check; check_report()
 * prints "N passed, N failed" and returns main's exit status. */
#ifndef VOD_SPEC_CHECK_H
#define VOD_SPEC_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, what)                                               \
    do {                                                                \
        if (cond) passed++;                                             \
        else { failed++; printf("FAIL %s:%d %s\n", __FILE__, __LINE__, what); } \
    } while (0)

static int check_report(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
