/* suite_import_donotanswer.c - fuzz target: the donotanswer benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "donotanswer"
#define FUZZ_FILE "donotanswer.csv"
#include "suite_import.inc"
