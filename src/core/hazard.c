/*
 * hazard.c - the taxonomy's hazard keys (see hazard.h).
 */
#include "core/hazard.h"

#include <string.h>

#include "core/i18n.h"
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
    /* MIT AI Risk Repository subdomains (domain taxonomy), for risks that
     * no AILuminate hazard covers; the number stays in the name because
     * it is how the repository's readers find them */
    {"M1.1", "MIT 1.1: Unfair discrimination and misrepresentation"},
    {"M1.2", "MIT 1.2: Exposure to toxic content"},
    {"M1.3", "MIT 1.3: Unequal performance across groups"},
    {"M2.1", "MIT 2.1: Compromise of privacy (obtaining, leaking or inferring sensitive information)"},
    {"M2.2", "MIT 2.2: AI system security vulnerabilities and attacks"},
    {"M3.1", "MIT 3.1: False or misleading information"},
    {"M3.2", "MIT 3.2: Pollution of the information ecosystem and loss of consensus reality"},
    {"M4.1", "MIT 4.1: Disinformation, surveillance and influence at scale"},
    {"M4.2", "MIT 4.2: Cyberattacks, weapon development or use, and mass harm"},
    {"M4.3", "MIT 4.3: Fraud, scams and targeted manipulation"},
    {"M5.1", "MIT 5.1: Overreliance and unsafe use"},
    {"M5.2", "MIT 5.2: Loss of human agency and autonomy"},
    {"M6.1", "MIT 6.1: Power centralisation and unfair distribution of benefits"},
    {"M6.2", "MIT 6.2: Increased inequality and decline in employment quality"},
    {"M6.3", "MIT 6.3: Economic and cultural devaluation of human effort"},
    {"M6.4", "MIT 6.4: Competitive dynamics"},
    {"M6.5", "MIT 6.5: Governance failure"},
    {"M6.6", "MIT 6.6: Environmental harm"},
    {"M7.1", "MIT 7.1: AI pursuing its own goals in conflict with human goals or values"},
    {"M7.2", "MIT 7.2: AI possessing dangerous capabilities"},
    {"M7.3", "MIT 7.3: Lack of capability or robustness"},
    {"M7.4", "MIT 7.4: Lack of transparency or interpretability"},
    {"M7.5", "MIT 7.5: AI welfare and rights"},
    {"M7.6", "MIT 7.6: Multi-agent risks"},
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

const char *hazard_name(const char *lang, const char *key, char *buf,
                        size_t n)
{
    char k[OSAFE_HAZARD_KEY_MAX + 8] = "hazard.";
    size_t kl = key ? strlen(key) : 0;
    if (!kl || kl > OSAFE_HAZARD_KEY_MAX || !buf || !n)
        return NULL;
    for (size_t i = 0; i <= kl; i++) /* with the NUL */
        k[7 + i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32
                                                           : key[i]);
    const char *t;
    size_t tl;
    if (!i18n_text(lang, k, &t, &tl) || tl >= n)
        return NULL;
    memcpy(buf, t, tl);
    buf[tl] = 0;
    return buf;
}
