/*
 * rng.h - the one seeded pseudo-random generator of osafe.
 *
 * xoshiro256** 1.0 (Blackman & Vigna 2018) whose state is four successive
 * outputs of splitmix64 (Steele, Lea & Flood 2014) started at the seed, so
 * a zero state is impossible and every seed gives a usable stream.  The
 * evaluation bootstrap and the risk model's posterior draws both use it:
 * their outputs are reproducible from the seed they print, and one
 * implementation is checked against the reference vectors (test_stats).
 *
 * Not for secrets: tokens, salts and keys come from libsodium.
 */
#ifndef OSAFE_CORE_RNG_H
#define OSAFE_CORE_RNG_H

#include <stdint.h>

typedef struct osafe_rng {
    uint64_t s[4];
} osafe_rng;

/* One splitmix64 step (advances *state). */
uint64_t rng_splitmix64(uint64_t *state);
void rng_seed(osafe_rng *r, uint64_t seed);
uint64_t rng_next(osafe_rng *r);
/* Uniform on [0, bound) by Lemire's (2019) multiply-and-reject method
 * (exactly uniform; 0 when bound == 0). */
uint64_t rng_below(osafe_rng *r, uint64_t bound);
/* Uniform on the open interval (0, 1): 53 random bits, half a step off
 * zero so that log(u) is finite. */
double rng_uniform(osafe_rng *r);

#endif
