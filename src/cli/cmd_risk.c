/*
 * cmd_risk.c - `osafe risk rank`: the risk priorities of a registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "registry/registry.h"
#include "store/store.h"
#include "risk/risk.h"
#include "risk/risk_policy.h"


const char usage_risk[] =
    "usage: osafe risk rank [--db FILE] [--format table|json|svg|csv]\n"
    "                       [--policy FILE] [--seed N] [--as-of YYYY-MM-DD]\n"
    "                       [--log DIR]\n"
    "\n"
    "Rank the registry's risks (hazard x model, and each hazard across all\n"
    "models) by the posterior probability that they exceed their tolerance:\n"
    "incident rates (Gamma-Poisson, severity-weighted) and evaluation\n"
    "failure rates (Beta-Binomial), with credible intervals, rank intervals\n"
    "and tiers; risks without enough evidence are listed as under-evidenced.\n"
    "The method and every formula: docs/RISK.md.\n"
    "\n"
    "--db FILE       the registry database (default ./osafe.db); every\n"
    "                published record is read, as the node's operator\n"
    "--format F      table (default), json, csv, or svg (the two matrix\n"
    "                panels, realized and latent)\n"
    "--policy FILE   YAML overriding the defaults of etc/risk-policy.yaml\n"
    "--seed N        seed of the posterior draws (default 20241122); every\n"
    "                output names it, and the same seed gives the same output\n"
    "--as-of DATE    count incident ages from DATE (default: today)\n"
    "--log DIR       the registry's transparency log (not needed to rank)\n";

int cmd_risk(int argc, char **argv)
{
    const char *db = "osafe.db", *format = "table", *policy_path = NULL,
               *seed_s = NULL, *as_of = NULL, *logdir = NULL;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"format", OPT_STRING, &format},
                         {"policy", OPT_STRING, &policy_path},
                         {"seed", OPT_STRING, &seed_s},
                         {"as-of", OPT_STRING, &as_of},
                         {"log", OPT_STRING, &logdir},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("risk", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_risk, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np == 0)
        return cli_usage_error("risk", "expected a subcommand (rank)");
    if (strcmp(argv[1], "rank"))
        return cli_usage_error("risk", "unknown subcommand '%s' (rank)",
                               argv[1]);
    if (np > 1)
        return cli_usage_error("risk", "unexpected argument '%s'", argv[2]);
    if (strcmp(format, "table") && strcmp(format, "json") &&
        strcmp(format, "svg") && strcmp(format, "csv"))
        return cli_usage_error("risk", "--format %s: expected table, json, "
                                       "svg or csv",
                               format);
    unsigned long long seed = RISK_DEFAULT_SEED;
    if (seed_s && (rc = cli_u64("risk", "--seed", seed_s, &seed)))
        return rc;
    osafe_err e;
    struct risk_policy pol;
    risk_policy_default(&pol);
    if (policy_path && risk_policy_load(&pol, policy_path, &e))
        return cli_fail("risk", &e);
    if (as_of) {
        char y[64];
        snprintf(y, sizeof y, "as_of: \"%.20s\"\n", as_of);
        if (strlen(as_of) > 20 || risk_policy_parse(&pol, y, strlen(y), &e))
            return cli_usage_error("risk", "--as-of %s: expected YYYY-MM-DD",
                                   as_of);
    }
    if (!store_is_pg(db) && access(db, R_OK) != 0) {
        osafe_errf(&e, OSAFE_ENOTFOUND, "no database %s", db);
        return cli_fail("risk", &e);
    }
    registry *reg;
    reg_opts ro = {db, logdir, NULL, "OSAFE", "localhost/osafe-log", 2};
    if (reg_open(&ro, &reg, &e))
        return cli_fail("risk", &e);
    if (reg_open_warning(reg)[0])
        fprintf(stderr, "osafe risk: warning: %s\n", reg_open_warning(reg));
    risk_result *res;
    rc = risk_compute(reg, NULL, &pol, seed, &res, &e);
    reg_close(reg);
    if (rc)
        return cli_fail("risk", &e);
    if (res->skipped) /* ranked anyway; say what was left out */
        fprintf(stderr, "osafe risk: %zu records or evaluation runs left out "
                        "(unreadable, or past the %u risks one ranking "
                        "holds)\n",
                res->skipped, OSAFE_RISK_ITEMS_MAX);
    osafe_buf out = OSAFE_BUF_INIT;
    char *json = NULL;
    if (!strcmp(format, "json"))
        rc = risk_result_json(res, &json, &e);
    else if (!strcmp(format, "csv"))
        rc = risk_result_csv(res, &out, &e);
    else if (!strcmp(format, "svg"))
        rc = risk_matrix_svg(res, NULL, &out, &e);
    else
        rc = risk_result_table(res, &out, &e);
    risk_result_free(res);
    if (!rc) {
        if (json)
            printf("%s\n", json);
        else
            fwrite(out.data, 1, out.len, stdout);
    }
    free(json);
    buf_release(&out);
    if (fflush(stdout) != 0) {
        osafe_errf(&e, OSAFE_EIO, "writing the output failed");
        return cli_fail("risk", &e);
    }
    return rc ? cli_fail("risk", &e) : EXIT_OK;
}
