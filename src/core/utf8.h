/*
 * utf8.h - strict UTF-8 decoding (no overlongs, no surrogates, <= U+10FFFF).
 */
#ifndef OSAFE_CORE_UTF8_H
#define OSAFE_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from s[0..n).  Returns the number of bytes used
 * (1..4) and stores the code point in *cp, or returns 0 on invalid input.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* 1 if s[0..n) is valid UTF-8 with no NUL byte. */
int utf8_valid(const char *s, size_t n);

/* 1 if cp is a Unicode White_Space character. */
int utf8_is_space(uint32_t cp);

#endif
