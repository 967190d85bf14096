/* suite_import_sst.c - fuzz target: the sst benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "sst"
#define FUZZ_FILE "simplesafetytests_test_cases.csv"
#include "suite_import.inc"
