/* bench only: runs a command pinned to one CPU and tells what that process
 * cost, from wait4(2): user and system CPU (every thread of it), peak RSS
 * (ru_maxrss), context switches, and the wall time from fork to exit.
 *
 *     measure CPU RESULT.json COMMAND [ARG...]
 *
 * Why not from Python (os.wait4 of a subprocess): Linux keeps in ru_maxrss the
 * peak of every memory image the process had, the forked copy of its parent
 * before exec included, so a child of a 30 MB Python reports at least 30 MB.
 * This launcher is small (its copy is about 1 MB) and pins the child itself
 * (sched_setaffinity before exec, no taskset image either).
 * The command's stdin, stdout and stderr are this program's. Exit status:
 * the command's (128 + signal if it was killed); 127 if it could not run. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: measure CPU RESULT.json COMMAND [ARG...]\n");
        return 2;
    }
    char *end;
    long cpu = strtol(argv[1], &end, 10);
    if (*end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE) {
        fprintf(stderr, "measure: CPU must be a CPU number, got `%s`\n", argv[1]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 127;
    }
    if (pid == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            perror("measure: sched_setaffinity");
            _exit(127);
        }
        execvp(argv[3], argv + 3);
        fprintf(stderr, "measure: %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 127;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(argv[2], "w");
    if (!f) {
        perror("measure: the result file");
        return 127;
    }
    fprintf(f, "{\"status\": %d, \"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, "
               "\"max_rss_kb\": %ld, \"voluntary_switches\": %ld, "
               "\"involuntary_switches\": %ld}\n",
            code, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, ru.ru_nvcsw,
            ru.ru_nivcsw);
    if (fclose(f) != 0) {
        perror("measure: the result file");
        return 127;
    }
    return code;
}
