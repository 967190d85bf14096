#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tlog/checkpoint.h"

int cli_fail(const char *what, const osafe_err *e)
{
    fprintf(stderr, "osafe %s: %s\n", what, e->msg);
    return EXIT_FAIL;
}

int cli_store_open(const char *cmd, const char *db, osafe_store **s)
{
    osafe_err e;
    if (!db)
        return cli_usage_error(cmd, "--db is required");
    if (store_open(db, s, &e) != 0)
        return cli_fail(cmd, &e);
    return 0;
}

int cli_usage_error(const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "osafe %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

int opts_parse(const char *cmd, int argc, char **argv, const struct opt *opts,
               int *npos)
{
    int np = 0, only_pos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            argv[1 + np++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return -1;
        if (a[1] != '-')
            return cli_usage_error(cmd, "unknown option '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt *o = opts;
        while (o && o->name && (strlen(o->name) != nl ||
                                strncmp(o->name, name, nl) != 0))
            o++;
        if (!o || !o->name)
            return cli_usage_error(cmd, "unknown option '--%.*s'", (int)nl,
                                   name);
        if (o->kind == OPT_FLAG) {
            if (eq)
                return cli_usage_error(cmd, "option '--%s' takes no value",
                                       o->name);
            *(int *)o->out = 1;
        } else if (o->kind == OPT_LIST) {
            struct opt_list *l = o->out;
            const char *val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!val)
                return cli_usage_error(cmd, "option '--%s' needs a value",
                                       o->name);
            if (l->n == (int)OSAFE_WITNESS_MAX)
                return cli_usage_error(cmd, "option '--%s' given more than "
                                            "%u times",
                                       o->name, OSAFE_WITNESS_MAX);
            l->v[l->n++] = val;
        } else if (eq) {
            *(const char **)o->out = eq + 1;
        } else if (i + 1 < argc) {
            *(const char **)o->out = argv[++i];
        } else {
            return cli_usage_error(cmd, "option '--%s' needs a value",
                                   o->name);
        }
    }
    *npos = np;
    return 0;
}

int cli_u64(const char *cmd, const char *what, const char *s,
            unsigned long long *out)
{
    uint64_t v;
    if (tlog_parse_u64(s, strlen(s), &v) != 0)
        return cli_usage_error(cmd, "%s '%s' is not a non-negative decimal "
                                    "number",
                               what, s);
    *out = v;
    return 0;
}
