/* placeholder until the exchange layer lands */
#include "cli/cli.h"
const char usage_export[] = "usage: osafe export FORMAT\n";
int cmd_export(int argc, char **argv) { (void)argc; (void)argv; return cli_usage_error("export", "not built yet"); }
