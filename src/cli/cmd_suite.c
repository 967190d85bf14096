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

/* Stream the suite in DIR (flat memory for any size): validate it and
 * print a line (mode 0), its identity (1) or its identity and contents
 * per language, hazard and expected behaviour (2). */
static int describe(const char *what, const char *dir, int mode)
{
    osafe_err e;
    int rc;
    /* Streamed: a suite of any size is checked in flat memory. */
    suite_reader *rd;
    suite_item it;
    json_t *maps[3] = {json_object(), json_object(), json_object()};
    if (suite_reader_open(dir, &rd, &e) != 0)
        return cli_fail(what, &e);
    while ((rc = suite_reader_next(rd, &it, &e)) > 0) {
        const char *keys[3] = {it.lang, it.hazard, it.expected};
        for (int k = 0; k < 3; k++) {
            const char *v = keys[k] && *keys[k] ? keys[k] : "(none)";
            json_object_set_new(maps[k], v,
                                json_integer(json_integer_value(
                                                 json_object_get(maps[k], v)) +
                                             1));
        }
    }
    if (rc == 0) {
        const json_t *meta = suite_reader_meta(rd);
        const char *name = json_string_value(json_object_get(meta, "name"));
        const char *ver = json_string_value(json_object_get(meta, "version"));
        if (mode == 0) {
            printf("ok: %s: %zu items, hash %s\n", dir,
                   suite_reader_count(rd), suite_reader_hash(rd));
        } else {
            printf("%s %s\nhash %s\nitems %zu\nlicense %s\ndefault scorer "
                   "%s\n",
                   name ? name : "?", ver ? ver : "?", suite_reader_hash(rd),
                   suite_reader_count(rd),
                   json_string_value(json_object_get(meta, "license")),
                   json_string_value(json_object_get(meta, "default_scorer")));
            const char *titles[3] = {"languages", "hazards", "expected"};
            for (int k = 0; mode == 2 && k < 3; k++) {
                printf("%s:", titles[k]);
                const char *key;
                json_t *v;
                json_object_foreach(maps[k], key, v)
                    printf(" %s=%lld", key, (long long)json_integer_value(v));
                printf("\n");
            }
        }
    }
    for (int k = 0; k < 3; k++)
        json_decref(maps[k]);
    suite_reader_free(rd);
    return rc ? cli_fail(what, &e) : EXIT_OK;
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
    if (!strcmp(sub, "import")) {
        if (np != 2 || !out)
            return cli_usage_error(what, "expected NAME SRC --out DIR");
        if (suite_import(argv[2], argv[3], out, &e) != 0)
            return cli_fail(what, &e);
        return describe(what, out, 1);
    }
    if (strcmp(sub, "validate") && strcmp(sub, "info"))
        return cli_usage_error("suite", "unknown subcommand '%s' (import, "
                                        "validate, info)",
                               sub);
    if (np != 1)
        return cli_usage_error(what, "expected one DIR");
    return describe(what, argv[2], !strcmp(sub, "validate") ? 0 : 2);
}
