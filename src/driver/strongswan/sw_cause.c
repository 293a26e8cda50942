/* driver/strongswan/sw_cause.c: charon's log lines that name why a tunnel is not up (see
 * strongswan.h). The texts were recorded from charon 5.9.8 in tests/dataplane and are listed in
 * docs/strongswan-mapping.md ("Events and failure causes"). */
#include "driver/strongswan/strongswan.h"

#include <stdio.h>
#include <string.h>

#include "util/macro.h"

/* A line names the cause when it holds `part` (and `also`, if set). First match wins. */
struct cause_text {
    const char *part, *also;
    enum sw_cause cause;
};

static const struct cause_text texts[] = {
    /* wrong PSK: the customer initiates (IKEv2), or the customer refuses ours */
    {"but MAC mismatched", NULL, SW_CAUSE_AUTH},
    {"AUTHENTICATION_FAILED", NULL, SW_CAUSE_AUTH},
    {"authentication of", "failed", SW_CAUSE_AUTH},
    {"no shared key found", NULL, SW_CAUSE_AUTH},
    {"no peer config found", NULL, SW_CAUSE_AUTH},
    {"INVALID_ID_INFORMATION", NULL, SW_CAUSE_AUTH},
    /* IKEv1 main mode with a wrong PSK: the peer's encrypted message does not decrypt
     * ("invalid HASH_V1 payload length, decryption failed?", "could not decrypt payloads",
     * "message parsing failed") */
    {"decryption failed", NULL, SW_CAUSE_AUTH},
    {"could not decrypt payloads", NULL, SW_CAUSE_AUTH},
    {"integrity check failed", NULL, SW_CAUSE_AUTH},
    {"message parsing failed", NULL, SW_CAUSE_AUTH},
    /* proposals (IKE or ESP); also the answer of a peer without a matching configuration */
    {"NO_PROPOSAL_CHOSEN", NULL, SW_CAUSE_PROPOSAL},
    {"received proposals unacceptable", NULL, SW_CAUSE_PROPOSAL},
    {"no acceptable proposal found", NULL, SW_CAUSE_PROPOSAL},
    /* an IKEv1 responder (main or aggressive mode) refusing the initiator's IKE proposal */
    {"no proposal found", NULL, SW_CAUSE_PROPOSAL},
    /* traffic selectors */
    {"TS_UNACCEPTABLE", NULL, SW_CAUSE_TS},
    {"no matching CHILD_SA config found", NULL, SW_CAUSE_TS},
    {"traffic selectors", "unacceptable", SW_CAUSE_TS},
    {"traffic selectors", "inacceptable", SW_CAUSE_TS},
    /* the peer closed the tunnel (a DELETE for the IKE SA or a CHILD SA) */
    {"received DELETE for", NULL, SW_CAUSE_DELETED},
    /* liveness: IKEv1 DPD; IKEv2 retransmits running out (while established: DPD) */
    {"DPD check timed out", NULL, SW_CAUSE_DPD},
    {"giving up after", "retransmits", SW_CAUSE_UNREACHABLE},
    {"peer not responding", NULL, SW_CAUSE_UNREACHABLE},
    /* charon's own settings */
    {"Aggressive Mode PSK disabled", NULL, SW_CAUSE_REFUSED},
};

static const char *const labels[] = {
    [SW_CAUSE_NONE] = "",
    [SW_CAUSE_AUTH] = "authentication failed",
    [SW_CAUSE_PROPOSAL] = "no proposal chosen",
    [SW_CAUSE_TS] = "traffic selectors unacceptable",
    [SW_CAUSE_DELETED] = "deleted by peer",
    [SW_CAUSE_DPD] = "DPD timeout",
    [SW_CAUSE_UNREACHABLE] = "peer unreachable",
    [SW_CAUSE_REFUSED] = "refused by charon",
};

enum sw_cause sw_cause_of(const char *msg, bool was_up)
{
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        const struct cause_text *t = &texts[i];
        if (!strstr(msg, t->part) || (t->also && !strstr(msg, t->also)))
            continue;
        if (t->cause == SW_CAUSE_UNREACHABLE && was_up)
            return SW_CAUSE_DPD;
        return t->cause;
    }
    return SW_CAUSE_NONE;
}

const char *sw_cause_label(enum sw_cause cause)
{
    return (size_t)cause < ARRAY_SIZE(labels) ? labels[cause] : "";
}

void sw_cause_reason(enum sw_cause cause, const char *msg, char *out, size_t size)
{
    snprintf(out, size, "%s: %s", sw_cause_label(cause), msg);
}
