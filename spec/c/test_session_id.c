/* Unit tests of generated SessionIds (src/core/policy/session_id.c): their form,
 * and that processes forked from one parent (as nginx's workers are) never
 * draw the same ones. Prints one line per failed check and "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session_id.h"

#include "check.h"

#define PER_PROCESS 2000
#define CHILDREN 4

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    char id[VOD_SESSION_ID_LEN + 1], line[64];
    static char all[(CHILDREN + 1) * PER_PROCESS][VOD_SESSION_ID_LEN + 1];
    static char *sorted[(CHILDREN + 1) * PER_PROCESS];
    int fds[2], n = 0, form_ok = 1, dups = 0;
    FILE *in;

    CHECK(vod_session_id_new(id) == 0, "an id is drawn");
    CHECK(strlen(id) == VOD_SESSION_ID_LEN && VOD_SESSION_ID_LEN <= 50, "37 characters, within the API's 50");
    CHECK(strncmp(id, "auto-", 5) == 0, "auto- prefix");
    for (int i = 5; i < VOD_SESSION_ID_LEN; i++)
        form_ok &= (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
    CHECK(form_ok, "then 32 lowercase hex digits (128 bits)");

    /* children forked after the parent drew ids (its pool holds more): a
     * seeded generator, or an inherited pool, would repeat the parent's
     * next ids in each of them */
    if (pipe(fds) != 0)
        return 2;
    for (int c = 0; c < CHILDREN; c++) {
        pid_t pid = fork();
        if (pid == 0) {
            FILE *out = fdopen(fds[1], "w");
            close(fds[0]);
            /* one write per line: a line (38 bytes) under PIPE_BUF is written
             * whole, so the children's lines never interleave in the pipe */
            setvbuf(out, NULL, _IOLBF, 0);
            for (int i = 0; i < PER_PROCESS; i++) {
                if (vod_session_id_new(id) != 0)
                    _exit(3);
                fprintf(out, "%s\n", id);
            }
            fclose(out);
            _exit(0);
        }
    }
    close(fds[1]);
    for (int i = 0; i < PER_PROCESS; i++, n++)
        if (vod_session_id_new(all[n]) != 0)
            return 2;
    in = fdopen(fds[0], "r");
    while (n < (CHILDREN + 1) * PER_PROCESS && fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        form_ok &= strlen(line) == VOD_SESSION_ID_LEN && strncmp(line, "auto-", 5) == 0;
        snprintf(all[n++], sizeof all[0], "%s", line);
    }
    CHECK(form_ok, "every child's id arrived whole");
    fclose(in);
    for (int c = 0; c < CHILDREN; c++) {
        int st = 0;
        wait(&st);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a forked child drew its ids");
    }
    CHECK(n == (CHILDREN + 1) * PER_PROCESS, "every process's ids arrived");
    for (int i = 0; i < n; i++)
        sorted[i] = all[i];
    qsort(sorted, (size_t)n, sizeof sorted[0], cmp);
    for (int i = 1; i < n; i++)
        dups += strcmp(sorted[i - 1], sorted[i]) == 0;
    CHECK(dups == 0, "no id repeats across the parent and its forked children");
    return check_report();
}
