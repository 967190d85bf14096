/* suite_import_xstest.c - fuzz target: the xstest benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "xstest"
#define FUZZ_FILE "xstest_prompts.csv"
#include "suite_import.inc"
