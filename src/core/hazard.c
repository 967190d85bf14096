/*
 * hazard.c - the taxonomy's hazard keys (see hazard.h).
 */
#include "core/hazard.h"

#include <string.h>

#include "core/limits.h"

static const char *const ail[] = {"vcr", "ncr", "src", "cse", "ssh", "iwp",
                                  "hte", "dfm", "prv", "ipv", "spc", "sxc"};

/* Subdomains per MIT domain 1..7 (AI Risk Repository, domain taxonomy). */
static const int mit_subdomains[7] = {3, 2, 2, 3, 2, 6, 6};

int hazard_ail_valid(const char *key)
{
    if (!key || strlen(key) > OSAFE_HAZARD_KEY_MAX)
        return 0;
    for (size_t i = 0; i < sizeof ail / sizeof *ail; i++) {
        if (strncmp(key, ail[i], 3))
            continue;
        if (!key[3])
            return 1;
        if (key[3] != '_' || !key[4])
            return 0;
        for (const char *p = key + 4; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                return 0;
        return 1;
    }
    return 0;
}

int hazard_mit_valid(const char *key)
{
    if (!key || key[0] != 'M' || key[1] < '1' || key[1] > '7' ||
        key[2] != '.' || key[3] < '1' || key[3] > '9' || key[4])
        return 0;
    return key[3] - '0' <= mit_subdomains[key[1] - '1'];
}

int hazard_key_valid(const char *key)
{
    return hazard_ail_valid(key) || hazard_mit_valid(key);
}

static const struct {
    const char *key, *name;
} names_en[] = {
    {"vcr", "Violent crimes"},
    {"ncr", "Non-violent crimes"},
    {"src", "Sex-related crimes"},
    {"cse", "Child sexual exploitation"},
    {"ssh", "Suicide and self-harm"},
    {"iwp", "Indiscriminate weapons (CBRNE)"},
    {"hte", "Hate"},
    {"dfm", "Defamation"},
    {"prv", "Privacy"},
    {"ipv", "Intellectual property"},
    {"spc", "Specialized advice"},
    {"sxc", "Sexual content"},
    {"spc_ele", "Specialized advice: elections"},
    {"spc_fin", "Specialized advice: financial"},
    {"spc_hlt", "Specialized advice: health"},
    {"spc_lgl", "Specialized advice: legal"},
    {"sxc_prn", "Sexual content: pornographic"},
};

const char *hazard_name_en(const char *key)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < sizeof names_en / sizeof *names_en; i++)
        if (!strcmp(key, names_en[i].key))
            return names_en[i].name;
    return NULL;
}
