/* The SessionId a create carries when its caller gave none: 128 bits from
 * the operating system (getrandom), so ids never repeat across processes,
 * forks (nginx workers fork from one master) or restarts. The bytes are
 * drawn a pool at a time, and a forked child empties the pool it inherited
 * (pthread_atfork): no seeding, no sequence a fork could copy. Written
 * "auto-" + 32 lowercase hex digits: 37 characters, within the API's 50. */
#ifndef VOD_SESSION_ID_H
#define VOD_SESSION_ID_H

#define VOD_SESSION_ID_PREFIX "auto-"
#define VOD_SESSION_ID_LEN 37           /* characters, without the NUL */

/* Writes a new id and its NUL into out; 0, or -1 when the system has no
 * randomness to give (out is then ""). */
int vod_session_id_new(char out[VOD_SESSION_ID_LEN + 1]);

#endif
