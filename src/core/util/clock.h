/* Time and sleeping, for the libcurl path (nginx uses ngx.now and ngx.sleep). */
#ifndef VOD_CLOCK_H
#define VOD_CLOCK_H

double vod_monotonic(void);     /* seconds, never goes back */
double vod_wallclock(void);     /* UNIX seconds, with the fraction */
void vod_sleep(double seconds); /* blocks the thread: plain Lua only */

#endif
