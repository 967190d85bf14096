/*
 * risk_tier.c - names of the tiers, as JSON, CSV and catalogue keys use them.
 */
#include "risk/risk.h"

const char *risk_tier_name(int tier)
{
    switch (tier) {
    case RISK_HIGH:
        return "high";
    case RISK_MEDIUM:
        return "medium";
    case RISK_LOW:
        return "low";
    default:
        return "under-evidenced";
    }
}
