/* exchange_json.c - fuzz target: the native JSON Lines importer
 * (registry/exchange_json.c, `osafe import json`); see exchange.inc. */
#define FUZZ_FORMAT "json"
#define FUZZ_LICENSE NULL
#include "exchange.inc"
