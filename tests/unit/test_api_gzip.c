/*
 * test_api_gzip.c - entry bundles (/log/tile/entries/...) served
 * gzip-compressed to clients that send Accept-Encoding: gzip (tlog-tiles:
 * bundles SHOULD be compressible), with Vary: Accept-Encoding on every
 * bundle so caches keep the two apart; and the Accept-Encoding parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <zlib.h>

#include "api_client.h"
#include "server/http.h"

static api_srv S;
static char tA[128], tRev[128];

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", NULL, tA);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_start(&S);
    /* A fixture record of this repository (no ../shared needed). */
    const char *src = __FILE__, *slash = strrchr(src, '/');
    char p[512];
    snprintf(p, sizeof p, "%.*s/../fixtures/interop/records.jsonl",
             slash ? (int)(slash - src) : 1, slash ? src : ".");
    size_t n;
    char *text = api_read_file(p, &n);
    size_t first = strcspn(text, "\n");
    for (int i = 0; i < 3; i++) {
        char id[32];
        api_create_text(&S, tA, text, first, id);
        api_publish(&S, tA, tRev, id);
    }
    free(text);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

static void get_bundle(const char *accept, api_reply *r)
{
    char hdr[128];
    if (accept)
        snprintf(hdr, sizeof hdr, "Accept-Encoding: %s", accept);
    api_http_ex(&S, "GET", "/log/tile/entries/000.p/3", NULL, NULL, NULL, 0,
                accept ? hdr : NULL, 0, r);
    API_EXPECT(r, 200, "GET /log/tile/entries/000.p/3");
    char v[128];
    if (!api_hdr(r, "Vary", v, sizeof v) || !strstr(v, "Accept-Encoding"))
        fail_msg("entry bundle without Vary: Accept-Encoding");
}

static void test_bundle_gzip(void **state)
{
    (void)state;
    api_reply plain, gz, refused;
    char v[64];
    get_bundle(NULL, &plain);
    assert_null(api_hdr(&plain, "Content-Encoding", v, sizeof v));
    assert_true(plain.body.len > 100);

    get_bundle("br, gzip;q=0.8", &gz);
    assert_non_null(api_hdr(&gz, "Content-Encoding", v, sizeof v));
    assert_string_equal(v, "gzip");
    assert_true(gz.body.len >= 18);
    assert_int_equal((unsigned char)gz.body.data[0], 0x1f);
    assert_int_equal((unsigned char)gz.body.data[1], 0x8b);
    assert_true(gz.body.len < plain.body.len);
    /* Inflated, it is the plain bundle byte for byte. */
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    unsigned char *out = malloc(plain.body.len + 1);
    z.next_in = (Bytef *)gz.body.data;
    z.avail_in = (uInt)gz.body.len;
    z.next_out = out;
    z.avail_out = (uInt)plain.body.len + 1;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, plain.body.len);
    assert_memory_equal(out, plain.body.data, plain.body.len);
    inflateEnd(&z);
    free(out);

    get_bundle("gzip;q=0, identity", &refused);
    assert_null(api_hdr(&refused, "Content-Encoding", v, sizeof v));
    assert_int_equal(refused.body.len, plain.body.len);
    api_reply_release(&plain);
    api_reply_release(&gz);
    api_reply_release(&refused);
}

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_true(http_accepts_gzip("gzip"));
    assert_true(http_accepts_gzip("deflate, GZIP"));
    assert_true(http_accepts_gzip("br;q=1.0, gzip;q=0.5"));
    assert_true(http_accepts_gzip("x-gzip"));
    assert_true(http_accepts_gzip("*"));
    assert_true(http_accepts_gzip("gzip; q=0.001"));
    assert_false(http_accepts_gzip(NULL));
    assert_false(http_accepts_gzip(""));
    assert_false(http_accepts_gzip("identity"));
    assert_false(http_accepts_gzip("gzip;q=0"));
    assert_false(http_accepts_gzip("gzip;q=0.000"));
    assert_false(http_accepts_gzip("gzipped, xgzip"));
    assert_false(http_accepts_gzip("br, *;q=0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_gzip),
        cmocka_unit_test(test_bundle_gzip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
