/* exchange_csv.c - fuzz target: the csv record importer
 * (registry/exchange_csv.c); see exchange.inc. */
#define FUZZ_FORMAT "csv"
#define FUZZ_LICENSE "CC-BY-4.0"
#include "exchange.inc"
