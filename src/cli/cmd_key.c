/*
 * cmd_key.c - `osafe key`: Ed25519 signing keys in the C2SP note formats.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "tlog/note.h"
#include "core/limits.h"

const char usage_key[] =
    "usage: osafe key generate NAME [--out DIR]\n"
    "       osafe key vkey FILE.key\n"
    "\n"
    "generate  Create an Ed25519 key named NAME (for a log, NAME is its\n"
    "          origin, e.g. example.org/osafe).  Writes DIR/NAME.key (the\n"
    "          private key, mode 0600, format PRIVATE+KEY+name+id+key) and\n"
    "          DIR/NAME.vkey (the verifier key, name+id+key, to publish).\n"
    "          '/' in NAME becomes '_' in the file names.  DIR defaults to\n"
    "          the current directory; existing files are never replaced.\n"
    "vkey      Print the verifier key of a private key file.\n";

static int key_generate(int argc, char **argv)
{
    const char *out = ".";
    struct opt opts[] = {{"out", OPT_STRING, &out}, {NULL, 0, NULL}};
    int np, rc = opts_parse("key generate", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_key, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error("key generate", "expected one NAME");
    const char *name = argv[1];
    osafe_err e;
    tlog_signer s;
    if (tlog_signer_generate(name, &s, &e) != 0)
        return cli_fail("key generate", &e);

    char stem[OSAFE_KEY_NAME_MAX + 1];
    snprintf(stem, sizeof stem, "%s", name);
    for (char *p = stem; *p; p++)
        if (*p == '/' || *p == '\\')
            *p = '_';
    char kpath[OSAFE_PATH_MAX], vpath[OSAFE_PATH_MAX];
    snprintf(kpath, sizeof kpath, "%s/%s.key", out, stem);
    snprintf(vpath, sizeof vpath, "%s/%s.vkey", out, stem);

    osafe_buf k = OSAFE_BUF_INIT, v = OSAFE_BUF_INIT;
    rc = tlog_signer_format(&s, &k) || buf_putc(&k, '\n') ||
         tlog_verifier_format(&s.v, &v) || buf_putc(&v, '\n');
    tlog_signer_wipe(&s);
    int ok = 0;
    if (rc)
        osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
    else if (fsx_mkdirs(out, &e) != 0)
        ;
    else if (fsx_exists(vpath))
        osafe_errf(&e, OSAFE_EEXIST, "%s already exists", vpath);
    else if (fsx_write_new(kpath, k.data, k.len, 0600, &e) != 0)
        ;
    else if (fsx_write_new(vpath, v.data, v.len, 0644, &e) != 0)
        unlink(kpath); /* a key without its vkey would only confuse */
    else
        ok = 1;
    if (ok)
        printf("%s\n%s\n", kpath, vpath);
    if (k.data)
        memset(k.data, 0, k.len);
    buf_release(&k);
    buf_release(&v);
    return ok ? EXIT_OK : cli_fail("key generate", &e);
}

static int key_vkey(int argc, char **argv)
{
    int np, rc = opts_parse("key vkey", argc, argv, NULL, &np);
    if (rc == -1) {
        fputs(usage_key, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error("key vkey", "expected one FILE.key");
    osafe_err e;
    tlog_signer s;
    if (tlog_signer_load(argv[1], &s, &e) != 0)
        return cli_fail("key vkey", &e);
    osafe_buf v = OSAFE_BUF_INIT;
    rc = tlog_verifier_format(&s.v, &v);
    tlog_signer_wipe(&s);
    if (!rc)
        printf("%s\n", v.data);
    buf_release(&v);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int cmd_key(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_key, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "generate"))
        return key_generate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "vkey"))
        return key_vkey(argc - 1, argv + 1);
    return cli_usage_error("key", "unknown subcommand '%s' (generate, vkey)",
                           argv[1]);
}
