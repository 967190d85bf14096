/*
 * test_review_oom.c - a review never loses its reason: when the copy of the
 * reason cannot be made (out of memory), the review fails and changes
 * nothing, instead of storing the decision without its reason.
 *
 * The test's own strdup() (which the static libraries link to ahead of the
 * C library's) fails for one marked reason only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "registry/registry.h"
#include "store/store.h"

#define PROBE "OOM-PROBE: the reason that cannot be copied"

char *strdup(const char *s)
{
    if (!strcmp(s, PROBE)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static const char record[] =
    "{\"record_type\":\"incident\",\"lang\":\"en\","
    "\"title\":{\"lang\":\"en\",\"text\":\"Review reason test\"},"
    "\"description\":[{\"lang\":\"en\",\"text\":\"Synthetic record for the "
    "review test.\",\"method\":\"human\"}],\"ai_relation\":\"caused\","
    "\"occurred_start\":{\"date\":\"2026-01-02\",\"precision\":\"day\"},"
    "\"countries_occurred\":[\"FR\"],"
    "\"severity\":{\"scale\":\"oecd-2025\",\"level\":\"incident\"},"
    "\"harm_types\":[\"physical\"],\"hazards\":[\"ssh\"],"
    "\"ai_systems\":[{\"kind\":\"model\",\"name\":\"m\"}],"
    "\"references\":[{\"url\":\"https://example.org/r\",\"type\":\"NEWS\"}],"
    "\"submitter\":{\"pseudonym\":\"t\",\"role\":\"researcher\"},"
    "\"tlp\":\"CLEAR\",\"license\":\"CC-BY-4.0\"}";

struct fx {
    char dir[256];
    registry *reg;
    reg_caller rep, rev;
};

static void setup_fx(struct fx *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/osafe-review-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char key[320], keydir[300], logd[300], db[300];
    snprintf(keydir, sizeof keydir, "%s/keys", f->dir);
    snprintf(key, sizeof key, "%s/ex.org_rev.key", keydir);
    snprintf(logd, sizeof logd, "%s/log", f->dir);
    snprintf(db, sizeof db, "%s/r.db", f->dir);
    char *gen[] = {(char *)api_osafe(), "key", "generate", "ex.org/rev",
                   "--out", keydir, NULL};
    assert_int_equal(api_run(gen, NULL, NULL), 0);
    char *init[] = {(char *)api_osafe(), "log", "init", logd, "--origin",
                    "ex.org/rev", "--key", key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    reg_opts o = {db, logd, key, "OSAFE", "ex.org/rev", 1};
    osafe_err e;
    if (reg_open(&o, &f->reg, &e))
        fail_msg("%s", e.msg);
    char t1[128], t2[128];
    assert_int_equal(reg_token_create(f->reg, "rep", "reporter", "", t1,
                                      sizeof t1, &e), 0);
    assert_int_equal(reg_token_create(f->reg, "rev", "reviewer", "", t2,
                                      sizeof t2, &e), 0);
    assert_int_equal(reg_auth(f->reg, t1, &f->rep, &e), 0);
    assert_int_equal(reg_auth(f->reg, t2, &f->rev, &e), 0);
}

/* A submitted record; its id in id. */
static void submitted(struct fx *f, char id[32])
{
    char *out = NULL;
    osafe_err e;
    if (reg_create(f->reg, &f->rep, record, strlen(record), &out, &e))
        fail_msg("create: %s", e.msg);
    json_t *j = json_loads(out, 0, NULL);
    snprintf(id, 32, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    free(out);
    if (reg_submit(f->reg, &f->rep, id, &out, &e))
        fail_msg("submit: %s", e.msg);
    free(out);
}

static const char *state_of(struct fx *f, const char *id, char buf[16])
{
    char *body = NULL;
    size_t len;
    reg_meta m;
    osafe_err e;
    if (reg_get(f->reg, &f->rev, id, 0, &body, &len, &m, &e))
        fail_msg("get %s: %s", id, e.msg);
    free(body);
    snprintf(buf, 16, "%s", m.state);
    return buf;
}

static void review_fails_whole(const char *decision)
{
    struct fx f;
    setup_fx(&f);
    char id[32], st[16], body[256];
    submitted(&f, id);
    snprintf(body, sizeof body, "{\"decision\":\"%s\",\"reason\":\"%s\"}",
             decision, PROBE);
    char *out = NULL;
    osafe_err e;
    int rc = reg_review(f.reg, &f.rev, id, body, strlen(body), &out, &e);
    free(out);
    if (rc != OSAFE_ENOMEM)
        fail_msg("%s with a reason that cannot be kept: status %d, not "
                 "OSAFE_ENOMEM (the decision would be stored without it)",
                 decision, rc);
    assert_non_null(strstr(e.msg, "review reason"));
    assert_string_equal(state_of(&f, id, st), "submitted");
    /* the same review with a reason that can be copied goes through */
    snprintf(body, sizeof body, "{\"decision\":\"%s\",\"reason\":\"ok\"}",
             decision);
    out = NULL;
    if (reg_review(f.reg, &f.rev, id, body, strlen(body), &out, &e))
        fail_msg("%s: %s", decision, e.msg);
    free(out);
    assert_string_not_equal(state_of(&f, id, st), "submitted");
    reg_close(f.reg);
    api_rmrf(f.dir);
}

static void test_reject_keeps_reason(void **state)
{
    (void)state;
    review_fails_whole("reject");
}

static void test_accept_keeps_reason(void **state)
{
    (void)state;
    review_fails_whole("accept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reject_keeps_reason),
        cmocka_unit_test(test_accept_keeps_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
