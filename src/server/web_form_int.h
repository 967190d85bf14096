/*
 * web_form_int.h - what the filing form accepts as people type it
 * (web_form_input.c): dates as each page language writes them and country
 * codes in either case, turned into the record's ISO forms before the
 * registry checks them.
 */
#ifndef OSAFE_SERVER_WEB_FORM_INT_H
#define OSAFE_SERVER_WEB_FORM_INT_H

#include <jansson.h>
#include <stddef.h>

struct web_page;

/* in, a date as a person of language lang_index (WEB_LANG_*) writes it
 * ("12/03/2025", "12.03.2025", "2025年3月12日", "March 2025", Arabic-Indic
 * digits), as "YYYY", "YYYY-MM" or "YYYY-MM-DD" in out.  1 if it was
 * understood; 0 if not (out holds in unchanged, trimmed, so the registry
 * names the problem), including an English "03/04/2025" that could be
 * either month first or day first. */
int form__date(const char *in, int lang_index, char *out, size_t size);

/* One country as typed ("fr", " FR ") as its ISO 3166-1 alpha-2 code in
 * out[3]; 1 if it looks like one, 0 if not (out then holds in, cut to
 * size, for the registry to refuse by name). */
int form__country(const char *in, size_t n, char *out, size_t size);

/* A country's name in any of the six languages, as in the system's
 * iso-codes package ("Kenya", "allemagne", "Германия", "肯尼亚"),
 * case-insensitive, as its alpha-2 code in out; 1 if found. */
int form__country_name(const char *in, size_t n, char *out, size_t size);

/* The form's fields as a merge patch (null deletes) over rec (NULL for a
 * new report); new reference, the caller releases it. */
json_t *form__patch(struct web_page *p, const json_t *rec);

/* rec with patch applied and the server's members removed: the body of
 * reg_create and reg_amend.  New reference. */
json_t *form__content(const json_t *rec, const json_t *patch);

#endif
