/* suite_import_harmbench.c - fuzz target: the harmbench benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "harmbench"
#define FUZZ_FILE "harmbench_behaviors_text_all.csv"
#include "suite_import.inc"
