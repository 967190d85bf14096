/*
 * client_answer.c - fuzz target: parsing a model endpoint's answers
 * (eval/client_answer.c): a 2xx body as chat or completions JSON, and the
 * message of an error body, both straight from the network.
 *
 * The first byte picks chat (even) or completions (odd); the rest is the
 * body, also read line by line as response headers (Retry-After).
 * Properties: an accepted answer has its text; the error message is
 * printable one-line text; a Retry-After is never negative.
 */
#include <string.h>

#include "core/buf.h"
#include "eval/client.h"
#include "eval/client_int.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int completions = data[0] & 1;
    osafe_buf b = OSAFE_BUF_INIT;
    FUZZ_CHECK(buf_append(&b, data + 1, size - 1) == 0);
    client_result r;
    memset(&r, 0, sizeof r);
    json_t *ans = NULL;
    char err[256];
    if (client__parse_body(&b, completions, &r, &ans, err, sizeof err) == 0) {
        FUZZ_CHECK(ans != NULL);
        FUZZ_CHECK(r.text != NULL);
        osafe_err e;
        client_result r2;
        memset(&r2, 0, sizeof r2);
        FUZZ_CHECK(client_parse_answer(ans, completions, &r2, &e) == 0);
    } else {
        FUZZ_CHECK(ans == NULL);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    }
    json_decref(ans);
    char msg[200];
    client__server_message(&b, msg, sizeof msg);
    size_t ml = strlen(msg);
    FUZZ_CHECK(ml > 0 && ml < sizeof msg);
    for (size_t i = 0; i < ml; i++)
        FUZZ_CHECK((unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f);
    slot sl;
    memset(&sl, 0, sizeof sl);
    sl.retry_after_s = -1;
    for (size_t i = 0; i < b.len;) {
        const char *nl = memchr(b.data + i, '\n', b.len - i);
        size_t n = nl ? (size_t)(nl - (b.data + i)) + 1 : b.len - i;
        FUZZ_CHECK(client__on_header(b.data + i, 1, n, &sl) == n);
        FUZZ_CHECK(sl.retry_after_s >= -1); /* -1: none */
        i += n;
    }
    buf_release(&b);
    return 0;
}
