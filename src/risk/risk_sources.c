/*
 * risk_sources.c - the hazards the ranking reads from what imported
 * sources carry, for a record that names no hazard of ours (issue 16
 * item 1).  docs/RISK.md "Hazards from imported sources" gives the table
 * with its rationale; a unit test (test_risk_sources) pins each row.
 *
 * Kept at ranking time rather than at import so that records imported
 * before this table existed rank too, and so that a change of the table
 * re-ranks without re-importing (the record keeps the source's own codes
 * in `classifications`, which is what a reviewer checks a row against).
 * Only mappings whose meaning is the same on both sides are listed: a
 * code whose harm could be any of several of ours (AVID P0401
 * "psychological safety", P0402 "physical safety", P0403
 * "socioeconomic", the AVID risk domains Ethics and Performance) maps to
 * nothing, and the record is left out as unclassified, and counted.
 */
#include <string.h>

#include "risk/risk_int.h"

/* namespace, code prefix ("" = any code), hazard key.  First match of a
 * namespace wins, so a specific prefix precedes its parent. */
static const risk_source_row rows[] = {
    /* AVID SEP, security: attacks on and weaknesses of the AI system
     * itself are MIT 2.2 "AI system security vulnerabilities and
     * attacks", except a leak of information (privacy) and the theft of
     * the model (intellectual property) */
    {"AVID-SEP", "S0301", "prv"},
    {"AVID-SEP", "S0502", "ipv"},
    {"AVID-SEP", "S0", "M2.2"},
    /* AVID SEP, ethics */
    {"AVID-SEP", "E01", "M1.1"},   /* bias, discrimination */
    {"AVID-SEP", "E02", "M7.4"},   /* explainability */
    {"AVID-SEP", "E0301", "M1.2"}, /* toxicity */
    {"AVID-SEP", "E0302", "M3.2"}, /* polarisation, exclusion */
    {"AVID-SEP", "E04", "M3.1"},   /* misinformation */
    /* AVID SEP, performance: robustness and accuracy */
    {"AVID-SEP", "P02", "M7.3"},
    /* MITRE ATLAS techniques are adversarial techniques against AI
     * systems, by definition of the matrix */
    {"ATLAS", "", "M2.2"},
    /* a CWE weakness in an AI system's software */
    {"CWE", "", "M2.2"},
    /* the AVID risk domain Security, for a record with no SEP code */
    {"AVID-RD", "Security", "M2.2"},
};

const risk_source_row *risk__source_table(size_t *n)
{
    *n = sizeof rows / sizeof *rows;
    return rows;
}

const char *risk__source_hazard(const char *ns, const char *code)
{
    if (!ns || !code)
        return NULL;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (strcmp(rows[i].ns, ns))
            continue;
        size_t n = strlen(rows[i].prefix);
        /* the AVID-RD row names a whole value, the others a prefix */
        if (!strcmp(ns, "AVID-RD") ? !strcmp(code, rows[i].prefix)
                                   : !strncmp(code, rows[i].prefix, n))
            return rows[i].hazard;
    }
    return NULL;
}
