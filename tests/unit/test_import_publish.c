/*
 * test_import_publish.c - `osafe import --publish` stores each record once
 * (issue 13): one versions row written and no records row rewritten per
 * record, where it used to store a draft, read it back, parse it again
 * and replace it by its publication; the record is still the same
 * published version 1, in the log.  Under OSAFE_TEST_PG (ctest
 * pg_test_import_publish) the same on PostgreSQL, whose import sends its
 * inserts together with their parameters inlined as literals (store.h
 * defer): titles and keys with quotes, backslashes, "$1" and non-ASCII
 * text come back byte for byte.
 */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "api_client.h"
#include "core/fsx.h"
#include "registry/registry.h"
#include "tlog/log.h"

static int version_writes, record_updates;

static int on_stmt(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)ctx, (void)p;
    const char *sql = x;
    if (strstr(sql, "INTO versions("))
        version_writes++;
    if (!strncmp(sql, "UPDATE records ", 15))
        record_updates++;
    return 0;
}

/* Every connection the registry opens is traced. */
static int trace_connection(sqlite3 *db, char **err,
                            const struct sqlite3_api_routines *api)
{
    (void)err, (void)api;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_stmt, NULL);
    return SQLITE_OK;
}

static void test_import_publish_stores_each_record_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/osafe-import-pub-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128], logdir[128], key[128], ex[512];
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    snprintf(key, sizeof key, "%s/log.key", dir);
    osafe_err e;
    tlog_signer s;
    osafe_buf kb = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_generate("t.osafe.dev/r", &s, &e), 0);
    assert_int_equal(tlog_signer_format(&s, &kb), 0);
    tlog_signer_wipe(&s);
    assert_int_equal(fsx_write_new(key, kb.data, kb.len, 0600, &e), 0);
    buf_release(&kb);
    assert_int_equal(tlog_log_init(logdir, "t.osafe.dev/r", key, &e), 0);
    api_fixture("records/minimal-incident.json", ex, sizeof ex);
    char *text;
    size_t len;
    assert_int_equal(fsx_read_file(ex, 1 << 20, &text, &len, &e), 0);
    /* a title an inlined literal must carry exactly */
    static const char want_title[] =
        "it's a \\'); DROP TABLE records; -- $1 \xe6\xb3\x84\xe9\x9c\xb2 "
        "\"quoted\" \\x00ff";
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    json_object_set_new(doc, "title", json_pack("{s:s, s:s}", "lang", "en",
                                                "text", want_title));
    free(text);
    text = json_dumps(doc, JSON_COMPACT);
    len = strlen(text);
    json_decref(doc);
    snprintf(db, sizeof db, "%s/o.db", dir);
    api_pg_db(dir, db, sizeof db); /* OSAFE_TEST_PG: PostgreSQL */
    int sqlite = strncmp(db, "postgresql://", 13) != 0;

    sqlite3_auto_extension((void (*)(void))trace_connection);
    registry *reg;
    reg_opts ro = {db, logdir, key, "OSAFE", "test", 1};
    reg_caller c;
    if (reg_open(&ro, &reg, &e) ||
        reg_import_caller(reg, "importer", &c, &e))
        fail_msg("registry: %s", e.msg);
    enum { N = 40 };
    reg_import_item items[N];
    char keys[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "t:'%d\\$1", i);
        items[i] = (reg_import_item){.source_key = keys[i], .json = text,
                                     .len = len};
    }
    version_writes = record_updates = 0;
    assert_int_equal(reg_import_batch(reg, &c, items, N, 1, &e), 0);
    sqlite3_reset_auto_extension();
    for (int i = 0; i < N; i++)
        assert_int_equal(items[i].status, 0);
    if (sqlite) {
        assert_int_equal(version_writes, N);
        assert_int_equal(record_updates, 0);
    }

    /* what it stored: version 1, published, in the log */
    char *body;
    size_t blen;
    reg_meta meta;
    assert_int_equal(reg_get(reg, &c, items[7].id, 0, &body, &blen, &meta,
                             &e),
                     0);
    json_t *j = json_loadb(body, blen, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "state")),
                        "published");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "id")),
                        items[7].id);
    assert_non_null(json_object_get(j, "published"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "title"), "text")),
                        want_title);
    json_decref(j);
    free(body);
    /* imported again: skipped */
    for (int i = 0; i < N; i++)
        items[i] = (reg_import_item){.source_key = keys[i], .json = text,
                                     .len = len};
    assert_int_equal(reg_import_batch(reg, &c, items, N, 1, &e), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(items[i].status, 1);
    reg_close(reg);
    tlog_log *lg;
    assert_int_equal(tlog_log_open(logdir, TLOG_OPEN_READ, NULL, &lg, &e),
                     0);
    assert_int_equal(tlog_log_head(lg)->size, N);
    tlog_log_close(lg);
    free(text);
    assert_int_equal(fsx_remove_tree(dir, &e), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_publish_stores_each_record_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
