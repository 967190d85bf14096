/* exchange_atlas.c - fuzz target: the atlas record importer
 * (registry/exchange_atlas.c); see exchange.inc. */
#define FUZZ_FORMAT "atlas"
#define FUZZ_LICENSE NULL
#include "exchange.inc"
