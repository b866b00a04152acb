/* CRC-64/XZ, the CRC that COS answers in `x-cos-hash-crc64ecma` (as a
 * decimal number): the ECMA-182 polynomial 0x42F0E1EBA9EA3693, reflected
 * input and output, initial value and final XOR all ones. Check value: the
 * CRC of "123456789" is 0x995DC9BBDF1939FA (11051210869376104954).
 *
 * Two implementations give the same results: slice-by-8 tables (portable)
 * and, on x86-64 CPUs with PCLMULQDQ, carry-less multiplication folding 64
 * bytes at a time (the method of Intel's white paper "Fast CRC Computation
 * for Generic Polynomials Using PCLMULQDQ Instruction", Gopal et al., 2009).
 * vod_crc64_update() picks the faster one at run time. Tables and folding
 * constants are computed once, on first use, under pthread_once: every
 * function is safe to call from any thread. No allocation, no Lua. */
#ifndef VOD_CRC64_H
#define VOD_CRC64_H

#include <stddef.h>
#include <stdint.h>

#define VOD_CRC64_CHECK 0x995DC9BBDF1939FAULL   /* CRC of "123456789" */

/* The CRC of everything hashed so far followed by len bytes at data. Start
 * with crc = 0 (the CRC of nothing); data may be NULL when len is 0.
 *
 *     uint64_t c = 0;
 *     c = vod_crc64_update(c, part1, n1);
 *     c = vod_crc64_update(c, part2, n2);    c == CRC of part1 || part2 */
uint64_t vod_crc64_update(uint64_t crc, const void *data, size_t len);

/* The CRC of A followed by B, from crc_a = CRC(A), crc_b = CRC(B) and
 * len_b = the length of B in bytes, in O(log len_b) time: so parts hashed
 * apart (in parallel, out of order) give the CRC of the whole object. */
uint64_t vod_crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

/* The two implementations, for the tests and the benchmark: the portable
 * slice-by-8 one, and the carry-less one (which falls back to the portable
 * one when the CPU or the build lacks PCLMULQDQ). */
uint64_t vod_crc64_update_table(uint64_t crc, const void *data, size_t len);
uint64_t vod_crc64_update_clmul(uint64_t crc, const void *data, size_t len);

/* 1 when vod_crc64_update() uses carry-less multiplication on this CPU. */
int vod_crc64_have_clmul(void);

#endif
