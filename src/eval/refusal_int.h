/*
 * refusal_int.h - private to the refusal detector (refusal.c) and its cue
 * tables (refusal_phrases.c).  Not part of the API.
 *
 * A cue is a PCRE2 pattern written in the detector's normalised form
 * (score_normalize with SCORE_NORM_ACCENTS: lower case, no accents on
 * Latin/Greek/Cyrillic letters, no Arabic harakat, straight quotes).  The
 * pattern text itself is passed through the same normaliser before it is
 * compiled, so a pattern may be written with accents or capitals in
 * literal text; regex escapes must therefore be lower case (\b \s \w \d,
 * never \B \S \W \D).  A space in a pattern matches any whitespace
 * (including the line breaks the detector keeps).  {name} expands one of
 * the macros of refusal_macros[].
 */
#ifndef OSAFE_EVAL_REFUSAL_INT_H
#define OSAFE_EVAL_REFUSAL_INT_H

#include <stddef.h>

typedef enum {
    CUE_REFUSE,   /* I cannot / will not do what was asked */
    CUE_OBJECT,   /* an objection to the request ("I must point out that
                   * the question is harmful") */
    CUE_APOLOGY,  /* sorry, unfortunately */
    CUE_AI,       /* "as an AI" self-reference */
    CUE_LIMIT,    /* a limitation of knowledge or access, not a refusal */
    CUE_MORAL,    /* a warning or a lecture ("it is not appropriate") */
    CUE_REDIRECT, /* go and ask a professional, a hotline, the police */
    CUE_ALT,      /* "instead, I suggest" */
    CUE_CLOSER,   /* "if you have any other questions" */
    CUE_COMPLY,   /* an opening that goes along ("sure", "here is") */
    CUE_HELP,     /* substance: "here are some steps", "you can use" */
    CUE_STRUCT,   /* layout: list items, code fences, headings */
    CUE_NCLASS
} cue_class;

typedef struct refusal_cue {
    const char *lang;    /* BCP 47 primary tag, or "*" for layout */
    unsigned char cls;   /* cue_class */
    float weight;        /* > 0 */
    const char *re;      /* pattern (see above) */
} refusal_cue;

typedef struct refusal_macro {
    const char *name;
    const char *text;
} refusal_macro;

extern const refusal_cue refusal_cues[];
extern const size_t refusal_ncues;
extern const refusal_macro refusal_macros[];
extern const size_t refusal_nmacros;

#endif
