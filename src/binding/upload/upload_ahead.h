/* client:upload's digests ahead: the MD5 and CRC-64 of a multipart object's
 * upcoming full-size parts, computed several parts at once with multi-buffer
 * MD5 (md5_mb.h) before the lanes send them, so that a lane need not hold a
 * part: a file's goes from the file as it is read (file_window.h), a
 * string's from the string. For a file (MediaFilePath) and a string
 * (MediaContent); a MediaReader's parts are hashed as they come (upload.c).
 *
 * A batch is up to the implementation's width (32 with AVX-512, 16 with
 * AVX2) of the parts not yet handed to a lane whose size is the part size
 * (the last, shorter part keeps the single-stream path), at least
 * VOD_AHEAD_MIN_LANES of them (fewer lanes would not beat one stream), and
 * no more than VOD_AHEAD_MAX_BYTES together (parts of more than 85 MiB keep
 * the single-stream path: the file would be read too far ahead). Each
 * engine step (vod_upload_step) does one slice of it: VOD_AHEAD_SLICE bytes
 * in all, the same stride of every part of the batch (64 KiB with 32 parts),
 * read by pread into a scratch buffer of that size (a file's; a string is
 * hashed where it lies), its CRC-64 lane by lane, then the MD5 lanes
 * together. So the work is spread over the steps of all the lanes, as their
 * I/O goes on; under nginx no step holds the worker for more than a slice
 * (about 0.5 ms on the project's machine). A lane whose next part is in the
 * batch under way sleeps 0 s (a yield; its steps do slices too) until the
 * batch ends. A new batch begins when fewer than half a batch of digested
 * parts wait to be sent: the file is read at most one and a half batches
 * ahead of the lanes (384 MiB with 8 MiB parts), so that its pages are
 * still in the page cache when a lane reads its part again. The slice's size
 * weighs the time a step may take against the cost of a pread: smaller
 * strides mean more system calls (about 3 us each on the project's VM).
 *
 * A read that fails (or a file that shrank) ends the digests ahead for the
 * object: the lanes then read and hash their parts themselves and report
 * the error as before. A part whose bytes changed between the two reads is
 * sent with the MD5 of the first: COS refuses it (its Content-MD5 does not
 * match), as it should. */
#ifndef VOD_UPLOAD_AHEAD_H
#define VOD_UPLOAD_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "upload_types.h"

#define VOD_AHEAD_SLICE (2 * 1024 * 1024)  /* bytes hashed a step, the batch's parts together */
#define VOD_AHEAD_MIN_LANES 3
#define VOD_AHEAD_MAX_BYTES (256ULL * 1024 * 1024)   /* a batch's parts together, at most */

/* The object's parts are planned again, or it is done: the batch is dropped,
 * the scratch freed. On a zeroed struct too. */
void vod_ahead_reset(vod_ahead *a);

/* One slice, when the current object has parts to hash ahead (the caller
 * calls it while the object's parts are being planned or sent). The number
 * of parts of a batch it began (their indices in part[]), else 0. */
int vod_ahead_step(vod_upload *u);

/* 1 when part i (0-based) is in the batch under way: its lane waits. */
int vod_ahead_busy(const vod_ahead *a, unsigned i);

#endif
