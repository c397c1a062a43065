/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum arithmetic (RFC 1071, RFC 1624) for lib/ code that must
 * not depend on DPDK: the frame parser, unit tests and fuzzers.
 *
 * Byte order: every value here is a 16-bit word as it sits in memory,
 * loaded natively (memcpy), like DPDK's rte_raw_cksum(). RFC 1071 §2(B)
 * makes the one's complement sum byte-order independent, so a result
 * stored back with memcpy is the right pair of bytes on any host and no
 * swapping is needed at either end.
 *
 * Loads go through memcpy so the buffer may have any alignment (frames in
 * mbufs are 2-byte aligned at best at the IP header; fuzzers hand us odd
 * addresses); compilers turn the fixed-size memcpy into a plain load.
 * We add 32-bit words into a 64-bit accumulator (a word of 2^16*hi + lo is
 * congruent to hi + lo mod 0xffff, so this is the 16-bit sum, RFC 1071
 * §2(C) "parallel summation") and fold once at the end; the accumulator
 * cannot overflow below 2^32 words, far beyond any uint32_t length.
 * Rejected: 16-bit loop (twice the iterations), 64-bit loads with
 * add-with-carry (needs asm or __int128 to catch the carries; not worth it
 * for headers of 20-60 bytes, which is all we checksum in lib/).
 */
#include "lib/inet.h"

#include <string.h>

/* Fold a wide one's complement accumulator to 16 bits (end-around carry). */
static inline uint16_t
csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32); /* <= 2^33 */
	sum = (sum & 0xffffffffu) + (sum >> 32); /* <= 2^32 */
	sum = (sum & 0xffff) + (sum >> 16);      /* <= 0x1fffe */
	sum = (sum & 0xffff) + (sum >> 16);      /* <= 0xffff */
	return (uint16_t)sum;
}

/* Unfolded sum of buf[0..len); see the file comment for the word size. */
static uint64_t
csum_acc(const uint8_t *p, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t w32;
	uint16_t w16;

	while (len >= 16) {
		uint32_t a, b, c, d;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		sum += (uint64_t)a + b + c + d;
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* RFC 1071 §4.1: the odd byte is the high-order (first in
		 * memory) byte of a word whose second byte is zero. */
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		sum += w16;
	}
	return sum;
}

uint16_t
phx_csum_raw(const void *buf, uint32_t len)
{
	return csum_fold(csum_acc(buf, len));
}

uint16_t
phx_csum_ipv4_hdr(const void *hdr, uint32_t hlen)
{
	const uint8_t *p = hdr;
	uint64_t sum;

	/* Sum around the checksum field (bytes 10-11) rather than summing
	 * it and subtracting, so the caller's header is never written. */
	if (hlen <= 10)
		return (uint16_t)~csum_fold(csum_acc(p, hlen));
	sum = csum_acc(p, 10);
	if (hlen > 12)
		sum += csum_acc(p + 12, hlen - 12);
	return (uint16_t)~csum_fold(sum);
}

