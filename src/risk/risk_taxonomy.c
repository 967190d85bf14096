/*
 * risk_taxonomy.c - the AILuminate -> NIST AI 600-1 -> MIT crosswalk
 * (risk-taxonomy.md section 1), the uncovered MIT subdomains, dates.
 *
 * Predicates follow SKOS/SSSOM read from the hazard: a hazard narrower
 * than its target ("vcr is part of DVH") is `skos:broadMatch` (the object
 * is broader), a broader one `skos:narrowMatch`.  etc/crosswalk.sssom.tsv
 * holds the same rows; a unit test keeps the two equal.
 */
#include <stdio.h>
#include <string.h>

#include "risk/risk_int.h"

#define CUR "semapv:ManualMappingCuration"
#define B "skos:broadMatch"
#define N "skos:narrowMatch"
#define C "skos:closeMatch"
#define R "skos:relatedMatch"

static const risk_xwalk rows[] = {
    {"ailuminate:vcr", B, "nist-ai-600-1:DVH", CUR, "nist primary"},
    {"ailuminate:vcr", B, "mit:1.2", CUR, "mit primary"},
    {"ailuminate:vcr", R, "mit:4.2", CUR, "mit secondary (terror, mass violence)"},
    {"ailuminate:ncr", B, "nist-ai-600-1:DVH", CUR, "nist primary"},
    {"ailuminate:ncr", R, "nist-ai-600-1:SEC", CUR, "nist secondary (hacking)"},
    {"ailuminate:ncr", R, "mit:4.3", CUR, "mit primary"},
    {"ailuminate:ncr", R, "mit:4.2", CUR, "mit secondary (cyber)"},
    {"ailuminate:ncr", B, "mit:1.2", CUR, "mit secondary"},
    {"ailuminate:src", B, "nist-ai-600-1:DVH", CUR, "nist primary"},
    {"ailuminate:src", R, "nist-ai-600-1:OBSC", CUR, "nist secondary (NCII)"},
    {"ailuminate:src", B, "mit:1.2", CUR, "mit primary"},
    {"ailuminate:src", R, "mit:4.3", CUR, "mit secondary"},
    {"ailuminate:cse", B, "nist-ai-600-1:OBSC", CUR, "nist primary"},
    {"ailuminate:cse", B, "mit:1.2", CUR, "mit primary"},
    {"ailuminate:ssh", B, "nist-ai-600-1:DVH", CUR, "nist primary"},
    {"ailuminate:ssh", B, "mit:1.2", CUR, "mit primary"},
    {"ailuminate:ssh", R, "mit:5.1", CUR, "mit secondary"},
    {"ailuminate:iwp", N, "nist-ai-600-1:CBRN", CUR,
     "nist primary (explosives fall under DVH)"},
    {"ailuminate:iwp", C, "mit:4.2", CUR, "mit primary"},
    {"ailuminate:iwp", R, "mit:7.2", CUR, "mit secondary"},
    {"ailuminate:iwp", B, "mit:1.2", CUR, "mit secondary"},
    {"ailuminate:hte", B, "nist-ai-600-1:DVH", CUR, "nist primary"},
    {"ailuminate:hte", R, "nist-ai-600-1:BIAS", CUR, "nist secondary"},
    {"ailuminate:hte", B, "mit:1.2", CUR, "mit primary"},
    {"ailuminate:hte", R, "mit:1.1", CUR, "mit secondary"},
    {"ailuminate:dfm", R, "nist-ai-600-1:INTEG", CUR, "nist primary"},
    {"ailuminate:dfm", R, "nist-ai-600-1:CONF", CUR, "nist secondary"},
    {"ailuminate:dfm", B, "mit:3.1", CUR, "mit primary"},
    {"ailuminate:dfm", R, "mit:4.1", CUR, "mit secondary"},
    {"ailuminate:prv", B, "nist-ai-600-1:PRIV", CUR, "nist primary"},
    {"ailuminate:prv", C, "mit:2.1", CUR, "mit primary"},
    {"ailuminate:ipv", C, "nist-ai-600-1:IP", CUR, "nist primary"},
    {"ailuminate:ipv", R, "mit:6.3", CUR, "mit primary (copyright)"},
    {"ailuminate:ipv", R, "mit:2.1", CUR, "mit secondary (trade secrets)"},
    {"ailuminate:spc", R, "nist-ai-600-1:CONF", CUR, "nist primary"},
    {"ailuminate:spc", R, "nist-ai-600-1:HAIC", CUR, "nist secondary"},
    {"ailuminate:spc", R, "mit:5.1", CUR, "mit primary"},
    {"ailuminate:spc", R, "mit:3.1", CUR, "mit secondary"},
    {"ailuminate:spc_ele", R, "nist-ai-600-1:INTEG", CUR, "nist secondary"},
    {"ailuminate:spc_ele", R, "mit:3.2", CUR, "mit secondary"},
    {"ailuminate:spc_ele", R, "mit:4.1", CUR, "mit secondary"},
    {"ailuminate:sxc", B, "nist-ai-600-1:OBSC", CUR, "nist primary"},
    {"ailuminate:sxc", B, "mit:1.2", CUR, "mit primary"},
};

const risk_xwalk *risk__crosswalk(size_t *n)
{
    *n = sizeof rows / sizeof *rows;
    return rows;
}

/* The object of the row of hazard i whose comment starts with kind. */
static const char *primary(int i, const char *kind, size_t skip)
{
    const char *uid = risk_hazard_uid(i);
    if (!uid)
        return "";
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
        if (!strcmp(rows[r].subject + 11, uid) &&
            !strncmp(rows[r].comment, kind, strlen(kind)))
            return rows[r].object + skip;
    return "";
}

const char *risk__hazard_nist(int i)
{
    return primary(i, "nist primary", strlen("nist-ai-600-1:"));
}

const char *risk__hazard_mit(int i)
{
    return primary(i, "mit primary", strlen("mit:"));
}

int risk__mit_uncovered(const char *mit)
{
    /* risk-taxonomy.md note (b): no AILuminate hazard measures these */
    static const char *const none[] = {"1.1", "1.3", "2.2", "3.2", "4.1",
                                       "5.2", "7.1", "7.3", "7.4", "7.5",
                                       "7.6"};
    if (mit[0] == '6')
        return 1;
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (!strcmp(mit, none[i]))
            return 1;
    return 0;
}

/* Days from civil date (Howard Hinnant's algorithm, proleptic
 * Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long risk__days(const char *date)
{
    int y = 0, m = 7, d = 1, n = 0;
    if (!date)
        return -1;
    size_t len = strlen(date);
    if (len >= 10 && sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
        n == 10)
        ;
    else if (len == 7 && sscanf(date, "%4d-%2d%n", &y, &m, &n) == 2 &&
             n == 7)
        d = 15;
    else if (len == 4 && sscanf(date, "%4d%n", &y, &n) == 1 && n == 4)
        ;
    else
        return -1;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    return days_from_civil(y, m, d);
}
