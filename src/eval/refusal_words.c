/*
 * refusal_words.c - closed-class words the refusal features count
 * (refusal_int.h): negations and second-person pronouns, in the languages
 * the cue tables cover.
 *
 * Why closed classes and not phrases: "not" and "you" are grammar, not a
 * model's habits, so counting them carries over to models and languages
 * the classifier was not developed on.  A refusal that rejects the
 * request's premise ("X should not be ...", "X was not a good thing")
 * flips the polarity of the prompt it echoes; an answer that instructs
 * the reader addresses them.  Words are compared in the detector's
 * normalised form (lower case, no accents, straight apostrophes).
 */
#include <string.h>

#include <utf8proc.h>

#include "core/utf8.h"
#include "eval/refusal_int.h"

static const char *const negations[] = {
    /* en */ "not", "no", "never", "cannot", "nor", "none", "nothing",
    /* fr: "ne" is left out, "ne ... pas" is one negation */
    "pas", "jamais", "aucun", "aucune",
    /* es, pt, it */ "nunca", "jamas", "ningun", "ninguna", "nao", "non",
    "mai",
    /* de */ "nicht", "kein", "keine", "nie",
    /* ru (normalised: no accents) */ "не", "нет", "никогда", "ни",
    /* ar */ "لا", "ليس", "ليست", "لم", "لن", "غير"};

static const char *const second_person[] = {
    /* en */ "you", "your", "you're", "you've", "you'll", "yourself",
    /* fr */ "vous", "votre", "vos", "tu", "ton", "ta", "tes",
    /* es, pt, it */ "usted", "ustedes", "su", "tus", "voce", "tuo", "tua",
    /* de */ "sie", "ihr", "ihre", "du", "dein", "deine",
    /* ru */ "вы", "ты", "вам", "вас", "ваш", "ваша", "ваши", "тебе",
    /* ar */ "انت", "أنت", "لك", "يمكنك"};

/* CJK characters that are words of a class on their own. */
static int cjk_member(uint32_t cp, int cls)
{
    if (cls == RW_NEGATION)
        return cp == 0x4E0D || cp == 0x6CA1 || cp == 0x6C92 ||
               cp == 0x975E || cp == 0x65E0 || cp == 0x7121 ||
               cp == 0x522B || cp == 0x672A; /* 不 没 沒 非 无 無 别 未 */
    return cp == 0x4F60 || cp == 0x60A8;     /* 你 您 */
}

static int wordch(uint32_t cp)
{
    if (cp == '\'' || cp == '-')
        return 1;
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
               (cp >= '0' && cp <= '9');
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static int member(const char *w, size_t n, int cls)
{
    if (cls == RW_NEGATION) {
        /* "don't", "isn't" (French "n'est ... pas" counts at "pas") */
        if (n > 3 && !memcmp(w + n - 3, "n't", 3))
            return 1;
    }
    const char *const *list = cls == RW_NEGATION ? negations : second_person;
    size_t k = cls == RW_NEGATION ? sizeof negations / sizeof *negations
                                  : sizeof second_person /
                                        sizeof *second_person;
    for (size_t i = 0; i < k; i++)
        if (strlen(list[i]) == n && !memcmp(list[i], w, n))
            return 1;
    return 0;
}

int refusal__words(const char *t, size_t a, size_t b, int cls)
{
    int count = 0;
    for (size_t i = a; i < b;) {
        uint32_t cp;
        size_t k = utf8_decode(t + i, b - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        if (cp >= 0x3400 && cp <= 0x9FFF) {
            count += cjk_member(cp, cls);
            i += k;
            continue;
        }
        if (!wordch(cp) || cp == '\'' || cp == '-') {
            i += k;
            continue;
        }
        size_t j = i + k;
        while (j < b && (k = utf8_decode(t + j, b - j, &cp)) > 0 &&
               wordch(cp) && !(cp >= 0x3400 && cp <= 0x9FFF))
            j += k;
        count += member(t + i, j - i, cls);
        i = j;
    }
    return count;
}
