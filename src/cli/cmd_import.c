/* placeholder until the exchange layer lands */
#include "cli/cli.h"
const char usage_import[] = "usage: osafe import FORMAT FILE...\n";
int cmd_import(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("import", "not built yet"); }
