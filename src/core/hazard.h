/*
 * hazard.h - which hazard keys are evidence: the AILuminate v1.0 hazard
 * uids (with modelbench sub-hazards, "spc_hlt") and the MIT AI Risk
 * Repository subdomains written "M<d>.<s>" (../shared/design/
 * risk-taxonomy.md).  Used where outside input names a hazard (published
 * evaluations, the ranking's reading of them), so that an invented key can
 * neither be stored nor become a risk of its own.
 */
#ifndef OSAFE_CORE_HAZARD_H
#define OSAFE_CORE_HAZARD_H

#include <stddef.h>

/* 1 if key is an AILuminate hazard uid or a sub-hazard of one
 * ("uid_" then [a-z0-9]+, at most OSAFE_HAZARD_KEY_MAX bytes). */
int hazard_ail_valid(const char *key);
/* 1 if key is one of the 24 MIT subdomains, "M1.1" .. "M7.6". */
int hazard_mit_valid(const char *key);
/* Either of the two: a key the risk ranking counts. */
int hazard_key_valid(const char *key);
/* The English name of an AILuminate hazard uid or of a known sub-hazard
 * ("spc_ele" -> "Specialized advice: elections"), for the outputs that are
 * English only (the HTML report); NULL for any other key.  A static string.
 * The web pages take theirs from src/server/i18n/core.<lang>.txt, which
 * hazard_name reads. */
const char *hazard_name_en(const char *key);

/* The name of a hazard key in language lang ("en", "ar", ...), the one
 * the web pages show: the catalogues' "hazard.<key>" (core/i18n.h; MIT
 * keys lowercased, "M1.1" -> "hazard.m1.1").  Copied NUL-terminated into
 * buf; NULL when lang has no name for key or it does not fit in n. */
const char *hazard_name(const char *lang, const char *key, char *buf,
                        size_t n);

#endif
