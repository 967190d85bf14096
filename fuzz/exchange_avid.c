/* exchange_avid.c - fuzz target: the avid record importer
 * (registry/exchange_avid.c); see exchange.inc. */
#define FUZZ_FORMAT "avid"
#define FUZZ_LICENSE NULL
#include "exchange.inc"
