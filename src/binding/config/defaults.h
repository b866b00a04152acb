/* The defaults of vod.new's options and of client:wait_task's, in one place:
 * options.c, cred_read.c and wait.c read them, and vod.defaults() returns
 * them (options.c), so what `tcvod --help` shows is what a client does.
 * (The endpoints are in client_type.h, the metadata service's address in
 * cred_types.h; consume_events' defaults are src/lua/events.lua's.) */
#ifndef VOD_DEFAULTS_H
#define VOD_DEFAULTS_H

#define VOD_DEFAULT_SITE "intl"                 /* VOD_DEFAULT_ENDPOINT's edition */
#define VOD_DEFAULT_SCHEME "https"
#define VOD_DEFAULT_TIMEOUT 30.0                /* s, a request */
#define VOD_DEFAULT_CONNECT_TIMEOUT 5.0         /* s */
#define VOD_DEFAULT_MAX_RESPONSE_SIZE (16 * 1024 * 1024)   /* bytes */
#define VOD_DEFAULT_RETRY_MAX 2                 /* retries = { max, base_delay, max_delay, deadline } */
#define VOD_DEFAULT_RETRY_BASE_DELAY 0.2        /* s */
#define VOD_DEFAULT_RETRY_MAX_DELAY 5.0         /* s */
#define VOD_DEFAULT_RETRY_DEADLINE 60.0         /* s */
#define VOD_DEFAULT_RATE 20.0                   /* rate_limit: requests a second */
#define VOD_DEFAULT_BURST 1.0
#define VOD_DEFAULT_ADAPTIVE 1
#define VOD_DEFAULT_AUTO_SESSION_ID 1
#define VOD_DEFAULT_PROFILE "default"           /* the credentials file's section */
#define VOD_DEFAULT_METADATA_TIMEOUT 2.0        /* s */

/* client:wait_task(task_id, { interval, timeout }) */
#define VOD_DEFAULT_WAIT_INTERVAL 2.0           /* s between polls */
#define VOD_DEFAULT_WAIT_TIMEOUT 600.0          /* s in all */

#endif
