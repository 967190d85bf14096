/*
 * enc.h - strict base64 (RFC 4648 section 4, padded) and lowercase hex.
 *
 * Decoders reject anything that is not the canonical encoding: wrong length,
 * bad characters, missing padding, whitespace.  Signatures and hashes are
 * compared as bytes, so accepting two spellings of one value would only hide
 * mistakes.
 */
#ifndef OSAFE_CORE_ENC_H
#define OSAFE_CORE_ENC_H

#include <stddef.h>
#include <stdint.h>

/* Encoded length of n bytes, without the terminating NUL. */
#define OSAFE_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Write base64 of in[0..n) to out (room for OSAFE_B64_LEN(n) + 1). */
void b64_encode(char *out, const uint8_t *in, size_t n);
/*
 * Decode the slen characters at s into out (room for outmax bytes).
 * Returns the decoded length, or -1 if s is not canonical padded base64 or
 * does not fit.
 */
long b64_decode(uint8_t *out, size_t outmax, const char *s, size_t slen);

/* out needs 2n + 1 bytes. */
void hex_encode(char *out, const uint8_t *in, size_t n);
/* The value of one hex digit (either case), or -1. */
int hex_digit(char c);
/* Exactly 2n lowercase or uppercase hex digits into n bytes; 0 or -1. */
int hex_decode(uint8_t *out, size_t n, const char *s, size_t slen);

#endif
