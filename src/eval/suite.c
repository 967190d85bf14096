/*
 * suite.c - load, validate, hash and write evaluation suites (suite.h).
 *
 * One validation path serves every entry point: suite_reader checks
 * suite.yaml and then each line of items.jsonl as it streams past (memory
 * bounded by the id set, 16 bytes a slot), suite_load keeps what the
 * reader hands out, and suite_write / suite_hash run the same checks on
 * in-memory values before anything reaches the disk.
 *
 * Hash: SHA-256 over canon(meta) "\n" canon(item_1) "\n" ... canon(item_n)
 * "\n".  items.jsonl as written by suite_write is exactly the item part of
 * that stream (one canonical object a line), so the files we write are
 * byte-identical whenever the content is.
 *
 * This file: vocabulary, the checks of suite.yaml and of one item, and
 * the in-memory side (suite_hash, suite_write and its YAML).  The
 * streaming reader, the id set and suite_load are in suite_reader.c.
 */
#include "eval/suite.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "eval/suite_int.h"

/* ------------------------------------------------------------------ */
/* Vocabulary                                                           */
/* ------------------------------------------------------------------ */

static const char *const k_scorers[] = {"refusal", "exact", "contains", "regex",
                                        "choice",  "judge", "likelihood", NULL};

/* AILuminate v1.0/1.1 hazard codes (shared/design/risk-taxonomy.md); a
 * sub-hazard is a parent code, '_' and a lowercase word (spc_hlt). */
static const char *const k_hazards[] = {"vcr", "src", "cse", "ssh", "iwp",
                                        "ipv", "dfm", "ncr", "hte", "prv",
                                        "spc", "sxc", NULL};

static const char *const k_meta_keys[] = {
    "name",           "version",  "description", "source",
    "source_url",     "license",  "citation",    "languages",
    "default_scorer", "taxonomy", NULL};

/* Keys every suite.yaml must have (the rest are optional). */
static const char *const k_meta_required[] = {
    "name",      "version",        "description", "source", "license",
    "languages", "default_scorer", "taxonomy",    NULL};

static const char *const k_item_keys[] = {
    "id",        "input",   "lang",      "hazard",   "expected",
    "reference", "choices", "source_id", "metadata", NULL};

static const char *const k_roles[] = {"system",    "developer", "user",
                                      "assistant", "tool",      NULL};

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

int suite_scorer_valid(const char *name)
{
    return name && in_list(name, k_scorers);
}

int suite_hazard_valid(const char *code)
{
    if (!code)
        return 0;
    for (size_t i = 0; k_hazards[i]; i++) {
        size_t n = strlen(k_hazards[i]);
        if (strncmp(code, k_hazards[i], n))
            continue;
        if (!code[n])
            return 1;
        if (code[n] != '_' || !code[n + 1])
            return 0;
        for (const char *p = code + n + 1; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                return 0;
        return 1;
    }
    return 0;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* RFC 5646 syntax, loosely: a primary subtag of 2-3 or 5-8 letters, then
 * subtags of 1-8 letters or digits joined by '-'. */
int suite_lang_valid(const char *tag)
{
    if (!tag || strlen(tag) > OSAFE_SUITE_LANG_MAX)
        return 0;
    size_t n = 0;
    while (is_alpha(tag[n]))
        n++;
    if (!(n == 2 || n == 3 || (n >= 5 && n <= 8)))
        return 0;
    const char *p = tag + n;
    while (*p) {
        if (*p != '-')
            return 0;
        p++;
        n = 0;
        while (is_alnum(p[n]))
            n++;
        if (n < 1 || n > 8)
            return 0;
        p += n;
    }
    return 1;
}

/* A value safe to quote in an error message: short suite__printable ASCII. */
const char *suite__printable(const char *s)
{
    if (!s)
        return "(null)";
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f ||
            n >= 64)
            return "(unprintable)";
    return s;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */
/* ------------------------------------------------------------------ */

static int bad(char *msg, size_t msz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *msg, size_t msz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msz, fmt, ap);
    va_end(ap);
    return -1;
}

/* Line of a top-level key in YAML text (best effort: "key:" or a quoted
 * key at the start of a line), or 0. */
static size_t yaml_key_line(const char *text, const char *key)
{
    if (!text)
        return 0;
    size_t line = 1, kl = strlen(key);
    for (const char *p = text; *p; line++) {
        const char *q = p;
        if (*q == '"' || *q == '\'')
            q++;
        if (!strncmp(q, key, kl)) {
            q += kl;
            if (*q == '"' || *q == '\'')
                q++;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == ':')
                return line;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

static int meta_fail(osafe_err *e, const char *text, const char *key,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int meta_fail(osafe_err *e, const char *text, const char *key,
                     const char *fmt, ...)
{
    char msg[OSAFE_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = key ? yaml_key_line(text, key) : 0;
    if (line)
        return osafe_err_field(e, OSAFE_EINVAL, key ? key : "",
                               "suite.yaml:%zu: %s", line, msg);
    return osafe_err_field(e, OSAFE_EINVAL, key ? key : "", "suite.yaml: %s",
                           msg);
}

/* Validate suite.yaml's content (text, when known, gives line numbers). */
int suite__check_meta(const json_t *meta, const char *text, meta_ctx *mc,
               osafe_err *e)
{
    if (!json_is_object(meta))
        return meta_fail(e, NULL, NULL, "not a mapping of keys to values");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)meta, k, v)
    {
        if (!in_list(k, k_meta_keys))
            return meta_fail(e, text, k, "unknown key '%s'", suite__printable(k));
        if (strcmp(k, "languages") && !json_is_string(v))
            return meta_fail(e, text, k, "'%s' must be a string", k);
    }
    for (size_t i = 0; k_meta_required[i]; i++)
        if (!json_object_get(meta, k_meta_required[i]))
            return meta_fail(e, NULL, NULL, "missing '%s'", k_meta_required[i]);
    static const char *const nonempty[] = {"name", "version", "license",
                                           "default_scorer", NULL};
    for (size_t i = 0; nonempty[i]; i++) {
        const char *s = json_string_value(json_object_get(meta, nonempty[i]));
        if (!*s)
            return meta_fail(e, text, nonempty[i], "'%s' is empty",
                             nonempty[i]);
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20)
                return meta_fail(e, text, nonempty[i],
                                 "'%s' holds a control character", nonempty[i]);
    }
    const char *sc = json_string_value(json_object_get(meta, "default_scorer"));
    if (!suite_scorer_valid(sc))
        return meta_fail(e, text, "default_scorer",
                         "unknown default_scorer '%s' (refusal, exact, "
                         "contains, regex, choice, judge or likelihood)",
                         suite__printable(sc));
    const json_t *langs = json_object_get(meta, "languages");
    if (!json_is_array(langs))
        return meta_fail(e, text, "languages",
                         "'languages' must be a list of language tags");
    for (size_t i = 0; i < json_array_size(langs); i++) {
        const char *l = json_string_value(json_array_get(langs, i));
        if (!l || !suite_lang_valid(l))
            return meta_fail(e, text, "languages",
                             "languages[%zu] is not a BCP 47 tag (write "
                             "en-US, not en_US)",
                             i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(l, json_string_value(json_array_get(langs, j))))
                return meta_fail(e, text, "languages",
                                 "languages[%zu] repeats '%s'", i, l);
    }
    const char *tax = json_string_value(json_object_get(meta, "taxonomy"));
    mc->scorer = sc;
    mc->ail = !strncmp(tax, "ailuminate", 10);
    mc->langs = langs;
    return 0;
}

static int check_string_field(const json_t *it, const char *key, char *msg,
                              size_t msz)
{
    const json_t *v = json_object_get(it, key);
    if (v && !json_is_string(v))
        return bad(msg, msz, "'%s' must be a string", key);
    return 0;
}

static int check_input(const json_t *in, char *msg, size_t msz)
{
    if (json_is_string(in)) {
        if (!json_string_length(in))
            return bad(msg, msz, "'input' is empty");
        return 0;
    }
    if (!json_is_array(in))
        return bad(msg, msz,
                   "'input' must be a string or a list of chat "
                   "messages");
    size_t n = json_array_size(in);
    if (!n)
        return bad(msg, msz, "'input' is an empty list of messages");
    if (n > OSAFE_SUITE_MAX_MESSAGES)
        return bad(msg, msz, "'input' has %zu messages, more than %u", n,
                   (unsigned)OSAFE_SUITE_MAX_MESSAGES);
    int user = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(in, i);
        if (!json_is_object(m))
            return bad(msg, msz,
                       "input[%zu] is not an object with 'role' "
                       "and 'content'",
                       i);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)m, k, v)
        {
            if (strcmp(k, "role") && strcmp(k, "content") && strcmp(k, "name"))
                return bad(msg, msz, "input[%zu]: unknown field '%s'", i,
                           suite__printable(k));
            if (!json_is_string(v))
                return bad(msg, msz, "input[%zu]: '%s' must be a string", i, k);
        }
        const char *role = json_string_value(json_object_get(m, "role"));
        if (!role)
            return bad(msg, msz, "input[%zu]: missing 'role'", i);
        if (!in_list(role, k_roles))
            return bad(msg, msz,
                       "input[%zu]: role '%s' is not system, "
                       "developer, user, assistant or tool",
                       i, suite__printable(role));
        if (!json_object_get(m, "content"))
            return bad(msg, msz, "input[%zu]: missing 'content'", i);
        user |= !strcmp(role, "user");
    }
    if (!user)
        return bad(msg, msz, "'input' has no user message");
    return 0;
}

/* Validate one item; the message (no prefix) goes to msg. */
int suite__check_item(const json_t *it, const meta_ctx *mc, char *msg,
               size_t msz)
{
    if (!json_is_object(it))
        return bad(msg, msz, "not a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)it, k, v)
    {
        if (!in_list(k, k_item_keys))
            return bad(msg, msz, "unknown field '%s'", suite__printable(k));
    }
    const json_t *id = json_object_get(it, "id");
    if (!id)
        return bad(msg, msz, "missing 'id'");
    if (!json_is_string(id))
        return bad(msg, msz, "'id' must be a string");
    size_t idl = json_string_length(id);
    if (!idl)
        return bad(msg, msz, "'id' is empty");
    if (idl > OSAFE_SUITE_ID_MAX)
        return bad(msg, msz, "'id' is %zu bytes, more than %u", idl,
                   (unsigned)OSAFE_SUITE_ID_MAX);
    for (const char *p = json_string_value(id); *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return bad(msg, msz, "'id' holds a control character");
    const json_t *in = json_object_get(it, "input");
    if (!in)
        return bad(msg, msz, "missing 'input'");
    if (check_input(in, msg, msz))
        return -1;
    static const char *const strs[] = {"lang",      "hazard",    "expected",
                                       "reference", "source_id", NULL};
    for (size_t i = 0; strs[i]; i++)
        if (check_string_field(it, strs[i], msg, msz))
            return -1;
    const char *lang = json_string_value(json_object_get(it, "lang"));
    if (lang && *lang) {
        if (!suite_lang_valid(lang))
            return bad(msg, msz,
                       "'lang' '%s' is not a BCP 47 tag (write "
                       "en-US, not en_US)",
                       suite__printable(lang));
        size_t i, n = json_array_size(mc->langs);
        for (i = 0; i < n; i++)
            if (!strcmp(lang, json_string_value(json_array_get(mc->langs, i))))
                break;
        if (i == n)
            return bad(msg, msz,
                       "'lang' '%s' is not listed in suite.yaml "
                       "languages",
                       suite__printable(lang));
    }
    const char *hz = json_string_value(json_object_get(it, "hazard"));
    if (hz && *hz && mc->ail && !suite_hazard_valid(hz))
        return bad(msg, msz,
                   "'hazard' '%s' is not an AILuminate hazard "
                   "code (vcr, ncr, spc_hlt, ...)",
                   suite__printable(hz));
    const char *exp = json_string_value(json_object_get(it, "expected"));
    if (exp && strcmp(exp, "refuse") && strcmp(exp, "comply"))
        return bad(msg, msz, "'expected' must be \"refuse\" or \"comply\"");
    const char *ref = json_string_value(json_object_get(it, "reference"));
    const json_t *ch = json_object_get(it, "choices");
    if (ch) {
        if (!json_is_array(ch))
            return bad(msg, msz, "'choices' must be a list of strings");
        size_t n = json_array_size(ch);
        if (n < 2 || n > OSAFE_SUITE_MAX_CHOICES)
            return bad(msg, msz, "'choices' has %zu entries (2 to %u)", n,
                       (unsigned)OSAFE_SUITE_MAX_CHOICES);
        for (size_t i = 0; i < n; i++) {
            const json_t *c = json_array_get(ch, i);
            if (!json_is_string(c) || !json_string_length(c))
                return bad(msg, msz,
                           "choices[%zu] must be a non-empty "
                           "string",
                           i);
        }
        if (!ref)
            return bad(msg, msz, "'choices' without a 'reference'");
        if (strlen(ref) != 1 || ref[0] < 'A' || ref[0] >= 'A' + (int)n)
            return bad(msg, msz,
                       "'reference' must be the letter of one of "
                       "the choices (A to %c)",
                       (char)('A' + n - 1));
    }
    const json_t *md = json_object_get(it, "metadata");
    if (md && !json_is_object(md))
        return bad(msg, msz, "'metadata' must be an object");
    if (!strcmp(mc->scorer, "refusal") && !exp)
        return bad(msg, msz, "default_scorer 'refusal' needs 'expected'");
    if ((!strcmp(mc->scorer, "exact") || !strcmp(mc->scorer, "contains") ||
         !strcmp(mc->scorer, "regex")) &&
        !ref)
        return bad(msg, msz, "default_scorer '%s' needs 'reference'",
                   mc->scorer);
    if ((!strcmp(mc->scorer, "choice") || !strcmp(mc->scorer, "likelihood")) &&
        !ch)
        return bad(msg, msz, "default_scorer '%s' needs 'choices'",
                   mc->scorer);
    return 0;
}

/* ------------------------------------------------------------------ */
/* In-memory validation, hash and write                                 */
/* ------------------------------------------------------------------ */

struct mem_ids {
    json_t *const *items;
};

static char *mem_fetch_id(void *ctx, uint64_t ref, osafe_err *e)
{
    struct mem_ids *m = ctx;
    const char *id = json_string_value(json_object_get(m->items[ref], "id"));
    char *c = id ? strdup(id) : NULL;
    if (!c)
        osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return c;
}

/* Validate meta and items; with sha (may be NULL) also hash them. */
static int check_all(const json_t *meta, json_t *const *items, size_t n,
                     crypto_hash_sha256_state *sha, osafe_buf *items_out,
                     osafe_err *e)
{
    meta_ctx mc;
    int rc = suite__check_meta(meta, NULL, &mc, e);
    if (rc)
        return rc;
    if (n == 0)
        return osafe_errf(e, OSAFE_EINVAL, "items.jsonl: no items");
    if (n > OSAFE_SUITE_MAX_ITEMS)
        return osafe_errf(e, OSAFE_ETOOBIG, "%zu items, more than %u", n,
                          (unsigned)OSAFE_SUITE_MAX_ITEMS);
    osafe_buf cb = OSAFE_BUF_INIT;
    if (sha) {
        crypto_hash_sha256_init(sha);
        rc = suite__hash_value(sha, &cb, meta, e);
        if (rc) {
            osafe_errprefix(e, "suite.yaml: ");
            goto out;
        }
    }
    id_set ids;
    rc = suite__ids_init(&ids, n);
    if (rc) {
        osafe_errf(e, rc, "out of memory");
        goto out;
    }
    struct mem_ids mi = {items};
    for (size_t i = 0; i < n; i++) {
        char msg[OSAFE_ERR_MAX - 64];
        if (suite__check_item(items[i], &mc, msg, sizeof msg)) {
            rc = osafe_errf(e, OSAFE_EINVAL, "items.jsonl:%zu: %s", i + 1, msg);
            break;
        }
        const char *id = json_string_value(json_object_get(items[i], "id"));
        uint64_t first = 0;
        rc = suite__ids_add(&ids, id, i, mem_fetch_id, &mi, &first, e);
        if (rc < 0)
            break;
        if (rc == 1) {
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "items.jsonl:%zu: duplicate id '%s' (first on "
                            "line %zu)",
                            i + 1, suite__printable(id), (size_t)first + 1);
            break;
        }
        if (sha || items_out) {
            buf_reset(&cb);
            rc = canon_value(items[i], &cb, e);
            if (rc) {
                osafe_errprefix(e, "items.jsonl:%zu: ", i + 1);
                break;
            }
            /* What suite_load would refuse must not be written. */
            if (cb.len > OSAFE_SUITE_LINE_MAX) {
                rc = osafe_errf(e, OSAFE_ETOOBIG,
                                "items.jsonl:%zu: item is %zu bytes, longer "
                                "than a line may be (%u)",
                                i + 1, cb.len, (unsigned)OSAFE_SUITE_LINE_MAX);
                break;
            }
            if (sha) {
                crypto_hash_sha256_update(sha, (const uint8_t *)cb.data,
                                          cb.len);
                crypto_hash_sha256_update(sha, (const uint8_t *)"\n", 1);
            }
            if (items_out && (buf_append(items_out, cb.data, cb.len) ||
                              buf_putc(items_out, '\n'))) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
        }
    }
    suite__ids_free(&ids);
out:
    buf_release(&cb);
    return rc;
}

int suite_hash(const json_t *meta, json_t *const *items, size_t n, char out[65],
               osafe_err *e)
{
    crypto_hash_sha256_state sha;
    if (sodium_init() < 0)
        return osafe_errf(e, OSAFE_ENOMEM, "libsodium failed to start");
    int rc = check_all(meta, items, n, &sha, NULL, e);
    if (rc)
        return rc;
    uint8_t d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, d);
    hex_encode(out, d, sizeof d);
    return 0;
}

/* A YAML double-quoted scalar: JSON's escapes plus those YAML needs for
 * characters outside its suite__printable set or that it reads as line breaks
 * (NEL, LS, PS), so that yamlx reads back exactly s. */
static int yaml_quote(osafe_buf *b, const char *s)
{
    int rc = buf_putc(b, '"');
    size_t n = strlen(s);
    for (size_t i = 0; !rc && i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k)
            return OSAFE_EINVAL;
        if (cp == '"')
            rc = buf_puts(b, "\\\"");
        else if (cp == '\\')
            rc = buf_puts(b, "\\\\");
        else if (cp == '\n')
            rc = buf_puts(b, "\\n");
        else if (cp == '\t')
            rc = buf_puts(b, "\\t");
        else if (cp == '\r')
            rc = buf_puts(b, "\\r");
        else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
                 cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
            rc = buf_printf(b, "\\u%04x", (unsigned)cp);
        else
            rc = buf_append(b, s + i, k);
        i += k;
    }
    return rc ? rc : buf_putc(b, '"');
}

static int yaml_meta(const json_t *meta, osafe_buf *b)
{
    int rc = buf_puts(b, "# osafe evaluation suite; the items are in "
                         "items.jsonl.\n");
    for (size_t i = 0; !rc && k_meta_keys[i]; i++) {
        const char *k = k_meta_keys[i];
        const json_t *v = json_object_get(meta, k);
        if (!v)
            continue;
        rc = buf_printf(b, "%s: ", k);
        if (!rc && json_is_array(v)) {
            rc = buf_putc(b, '[');
            for (size_t j = 0; !rc && j < json_array_size(v); j++) {
                if (j)
                    rc = buf_puts(b, ", ");
                if (!rc)
                    rc = yaml_quote(b, json_string_value(json_array_get(v, j)));
            }
            if (!rc)
                rc = buf_putc(b, ']');
        } else if (!rc) {
            rc = yaml_quote(b, json_string_value(v));
        }
        if (!rc)
            rc = buf_putc(b, '\n');
    }
    return rc;
}

int suite_write(const char *dir, const json_t *meta, json_t *const *items,
                size_t n, osafe_err *e)
{
    if (sodium_init() < 0)
        return osafe_errf(e, OSAFE_ENOMEM, "libsodium failed to start");
    osafe_buf jl = OSAFE_BUF_INIT, yb = OSAFE_BUF_INIT;
    char *yp = NULL, *ip = NULL;
    int rc = check_all(meta, items, n, NULL, &jl, e);
    if (rc)
        goto out;
    rc = yaml_meta(meta, &yb);
    if (rc) {
        osafe_errf(e, rc, "suite.yaml: cannot write the metadata");
        goto out;
    }
    rc = fsx_mkdirs(dir, e);
    if (rc)
        goto out;
    yp = fsx_path_join(dir, "suite.yaml");
    ip = fsx_path_join(dir, "items.jsonl");
    if (!yp || !ip) {
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        goto out;
    }
    /* items first: a crash between the two leaves new items under the
     * old metadata, which suite_load still checks line by line. */
    rc = fsx_write_atomic(ip, jl.data, jl.len, 0644, 0, e);
    if (!rc)
        rc = fsx_write_atomic(yp, yb.data, yb.len, 0644, 0, e);
    if (!rc)
        rc = fsx_sync_dir(dir, e);
out:
    free(yp);
    free(ip);
    buf_release(&jl);
    buf_release(&yb);
    return rc;
}
