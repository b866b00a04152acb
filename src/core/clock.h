/* Monotonic time and sleeping, for the libcurl path (nginx uses ngx.sleep). */
#ifndef VOD_CLOCK_H
#define VOD_CLOCK_H

double vod_monotonic(void);     /* seconds, never goes back */
void vod_sleep(double seconds); /* blocks the thread: plain Lua only */

#endif
