/* suite_import_advbench.c - fuzz target: the advbench benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "advbench"
#define FUZZ_FILE "harmful_behaviors.csv"
#include "suite_import.inc"
