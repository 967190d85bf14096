/* suite_import_ailuminate.c - fuzz target: the ailuminate benchmark importer
 * (eval/suite_import*.c); see suite_import.inc. */
#define FUZZ_IMPORTER "ailuminate"
#define FUZZ_FILE "airr_official_1.0_demo_en_us_prompt_set_release.csv"
#include "suite_import.inc"
