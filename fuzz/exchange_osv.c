/* exchange_osv.c - fuzz target: the osv record importer
 * (registry/exchange_osv.c); see exchange.inc. */
#define FUZZ_FORMAT "osv"
#define FUZZ_LICENSE NULL
#include "exchange.inc"
