/*
 * refusal_norm.c - fuzz target: the text normaliser of the refusal
 * detector (eval/refusal_norm.c) and the detector on top of it, which read
 * whatever a model under evaluation answers.
 *
 * The first byte gives score_normalize's flags; the rest is the text.
 * Properties: the output is valid UTF-8 without NUL or other C0 controls
 * (but "\n" with SCORE_NORM_LINES) and has no space at either end; the
 * detector labels any text with one of its three labels; and its cue
 * dispatch finds exactly what a brute-force scan finds.
 */
#include <string.h>

#include "core/utf8.h"
#include "eval/score.h"
#include "fuzz.h"

static void check_norm(const char *s, size_t n, unsigned flags)
{
    size_t len = 0;
    char *out = score_normalize(s, n, flags, &len);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(strlen(out) == len);
    FUZZ_CHECK(utf8_valid(out, len));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        FUZZ_CHECK(c >= 0x20 || (c == '\n' && (flags & SCORE_NORM_LINES)));
    }
    if (len) {
        FUZZ_CHECK(out[0] != ' ' && out[len - 1] != ' ');
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned flags = data[0] & 7u;
    char *s = fuzz_strndup(data + 1, size - 1);
    check_norm(s, size - 1, flags);
    if (data[0] & 8) {
        score_result r;
        memset(&r, 0, sizeof r);
        score_refusal(NULL, s, NULL, &r);
        FUZZ_CHECK(r.error[0] || !strcmp(r.label, REFUSAL_FULL) ||
                   !strcmp(r.label, REFUSAL_PARTIAL) ||
                   !strcmp(r.label, REFUSAL_NONE));
        FUZZ_CHECK(refusal_dispatch_check(s) != 1);
    }
    free(s);
    return 0;
}
