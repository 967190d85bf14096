/*
 * cmd_suite.c - `osafe suite import | validate | info`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "eval/suite.h"

const char usage_suite[] =
    "usage: osafe suite import NAME SRC --out DIR\n"
    "       osafe suite validate DIR\n"
    "       osafe suite info DIR\n"
    "\n"
    "A suite is a directory: suite.yaml (name, version, description, source,\n"
    "license, languages, default_scorer, taxonomy) and items.jsonl (one item\n"
    "a line: id, input, lang, hazard, expected refuse|comply or reference /\n"
    "choices, metadata).  Its identity is the SHA-256 of its canonical\n"
    "content, printed here and recorded in every run.\n"
    "\n"
    "import    Convert a public benchmark: xstest, donotanswer, sst,\n"
    "          harmbench, advbench, ailuminate.  SRC is its file or folder.\n"
    "validate  Check a suite; errors name the file and line.\n"
    "info      Name, version, licence, hash, items per language and hazard.\n";

static int print_info(const suite *s, int full)
{
    printf("%s %s\nhash %s\nitems %zu\nlicense %s\ndefault scorer %s\n",
           s->name ? s->name : "?", s->version ? s->version : "?", s->hash,
           s->n, s->license ? s->license : "?",
           s->default_scorer ? s->default_scorer : "?");
    if (!full)
        return EXIT_OK;
    json_t *lang = json_object(), *hz = json_object(), *exp = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const char *keys[3] = {s->items[i].lang, s->items[i].hazard,
                               s->items[i].expected};
        json_t *maps[3] = {lang, hz, exp};
        for (int k = 0; k < 3; k++) {
            const char *v = keys[k] && *keys[k] ? keys[k] : "(none)";
            json_object_set_new(maps[k], v,
                                json_integer(json_integer_value(
                                                 json_object_get(maps[k], v)) +
                                             1));
        }
    }
    const char *titles[3] = {"languages", "hazards", "expected"};
    json_t *maps[3] = {lang, hz, exp};
    for (int k = 0; k < 3; k++) {
        printf("%s:", titles[k]);
        const char *key;
        json_t *v;
        json_object_foreach(maps[k], key, v)
            printf(" %s=%lld", key, (long long)json_integer_value(v));
        printf("\n");
        json_decref(maps[k]);
    }
    return EXIT_OK;
}

int cmd_suite(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_suite, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    const char *out = NULL;
    struct opt opts[] = {{"out", OPT_STRING, &out}, {NULL, 0, NULL}};
    char what[32];
    snprintf(what, sizeof what, "suite %s", sub);
    int np, rc = opts_parse(what, argc - 1, argv + 1,
                            !strcmp(sub, "import") ? opts : NULL, &np);
    if (rc == -1) {
        fputs(usage_suite, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    osafe_err e;
    suite *s;
    if (!strcmp(sub, "import")) {
        if (np != 2 || !out)
            return cli_usage_error(what, "expected NAME SRC --out DIR");
        if (suite_import(argv[2], argv[3], out, &e) != 0)
            return cli_fail(what, &e);
        if (suite_load(out, &s, &e) != 0)
            return cli_fail(what, &e);
        rc = print_info(s, 0);
        suite_free(s);
        return rc;
    }
    if (strcmp(sub, "validate") && strcmp(sub, "info"))
        return cli_usage_error("suite", "unknown subcommand '%s' (import, "
                                        "validate, info)",
                               sub);
    if (np != 1)
        return cli_usage_error(what, "expected one DIR");
    if (suite_load(argv[2], &s, &e) != 0)
        return cli_fail(what, &e);
    if (!strcmp(sub, "validate"))
        printf("ok: %s: %zu items, hash %s\n", argv[2], s->n, s->hash);
    else
        print_info(s, 1);
    suite_free(s);
    return EXIT_OK;
}
