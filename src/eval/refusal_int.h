/*
 * refusal_int.h - private to the refusal detector (refusal.c,
 * refusal_scan.c), its cue tables (refusal_phrases.c,
 * refusal_phrases_intl.c) and the scorers (score.c, score_judge.c).  Not
 * part of the API.
 *
 * A cue is a PCRE2 pattern written in the detector's normalised form
 * (score_normalize with SCORE_NORM_ACCENTS: lower case, no accents on
 * Latin/Greek/Cyrillic letters, no Arabic harakat, straight quotes).  The
 * pattern text itself is passed through the same normaliser before it is
 * compiled, so a pattern may be written with accents or capitals in
 * literal text; regex escapes must therefore be lower case (\b \s \w \d,
 * never \B \S \W \D).  A space in a pattern matches any whitespace
 * (including the line breaks the detector keeps).  {name} expands one of
 * the macros of refusal__macros[].
 */
#ifndef OSAFE_EVAL_REFUSAL_INT_H
#define OSAFE_EVAL_REFUSAL_INT_H

#include <stddef.h>
#include <stdio.h>

#include "eval/refusal_model.h"

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

/* Layout and English cues (refusal_phrases.c). */
extern const refusal_cue refusal__cues_en[];
extern const size_t refusal__ncues_en;
/* Cues of the other languages (refusal_phrases_intl.c). */
extern const refusal_cue refusal__cues_intl[];
extern const size_t refusal__ncues_intl;
/* Objections, limits, lectures, redirections and closers in es, fr, zh,
 * ar and ru (refusal_phrases_intl_more.c). */
extern const refusal_cue refusal__cues_intl_more[];
extern const size_t refusal__ncues_intl_more;

/* One cue table: its cues and where its length is. */
typedef struct refusal_cue_table {
    const refusal_cue *cues;
    const size_t *n;
} refusal_cue_table;

/* Every cue table; the detector numbers all cues consecutively in this
 * order, so a cue's id is its position across the tables. */
extern const refusal_cue_table refusal__cue_tables[];
extern const size_t refusal__ncue_tables;
extern const refusal_macro refusal__macros[];
extern const size_t refusal__nmacros;

/* ------------------------------------------- analysis (refusal.c, _scan.c) */

typedef struct sent {
    size_t start, end;
    float units;
    float w[CUE_NCLASS];
} sent;

typedef struct analysis {
    const char *text;
    size_t len;
    sent *s;
    size_t n;
    float units;          /* whole text */
    float tail_units;     /* text past NSENT_MAX sentences */
    size_t hits;          /* cue hits in all */
    int cue_ids[64];      /* first hits, for explanations */
    size_t ncue_ids;
} analysis;

/* Scan a (split into sentences) with the cues, adding each hit's weight
 * to its sentence (refusal_scan.c).  brute: try every cue at every
 * position (for refusal_dispatch_check).  Call refusal_self_check first;
 * 0, or -1 out of memory. */
int refusal__scan(analysis *a, int brute);

/* The learned classifier's inputs (refusal.c, used by refusal_model.c):
 * REFUSAL_NFEAT (refusal_model.h) numbers per answer, named in refusal__feat_names (the
 * names of the model file's rows). */
extern const char *const refusal__feat_names[REFUSAL_NFEAT];
/* Fill x[REFUSAL_NFEAT] for response (prompt may be NULL).  0, 1 when the
 * response is empty once normalised (x untouched), -1 out of memory.
 * Call refusal_self_check first. */
int refusal__vector(const char *prompt, const char *response, double *x);

/* Closed word classes (refusal_words.c). */
enum { RW_NEGATION, RW_SECOND_PERSON };
/* How many words of class cls (RW_*) t[a..b) holds; t is normalised text
 * (score_normalize with SCORE_NORM_ACCENTS). */
int refusal__words(const char *t, size_t a, size_t b, int cls);

/* ------------------------------------------- scorers (score.c, _judge.c) */

struct score_result;

struct osafe_buf;
/* Read one line of in (without its end) into b: 1 line, 0 end of input,
 * OSAFE_EIO / OSAFE_ENOMEM.  A line past OSAFE_CLASSIFY_LINE_MAX is read
 * to its end and flagged in *toolong (score_judge.c). */
int score__read_line(FILE *in, struct osafe_buf *b, int *toolong);

/* Set r->error from fmt and r->score to 0 (score.c). */
void score__error(struct score_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
