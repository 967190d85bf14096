/*
 * web_log.c - /log: the log's current checkpoint, its verifier key, and the
 * in-browser inclusion check (assets/verify.js), whose widget the incident
 * page reuses (web__verify_widget).
 *
 * Hooks: <pre id="checkpoint-note">, <dd id="checkpoint-size">,
 * <dd id="checkpoint-root">, <code id="log-vkey">; the widget:
 * <section id="verify" data-vkey>, <form id="verify-form">, inputs
 * #verify-id, #verify-version, button #verify-fetch, textareas
 * #verify-entry and #verify-proof, button #verify-run, and
 * <output id="verify-result" data-status="ok|fail" data-reason>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/web_int.h"
#include "core/limits.h"
#include "tlog/cosig.h"

int web__log_vkey(const web_page *p, char *out, size_t size)
{
    osafe_err e;
    return reg_log_vkey(p->reg, out, size, &e) ? -1 : 0;
}

static void data_msg(web_page *p, const char *name, const char *key)
{
    web__page_rawf(p, " data-msg-%s=\"", name);
    web__page_t(p, key);
    web__page_raw(p, "\"");
}

void web__verify_widget(web_page *p, const char *id, int version,
                       const char *entry, const char *proof_json)
{
    char vkey[512] = "";
    web__log_vkey(p, vkey, sizeof vkey);
    web__page_raw(p, "<section id=\"verify\" class=\"verify\" "
                "aria-labelledby=\"verify-h\" data-vkey=\"");
    web__page_text(p, vkey);
    web__page_raw(p, "\"");
    web__witness_keys_attr(p);
    static const char *const msgs[][2] = {
        {"running", "verify.running"}, {"ok", "verify.ok"},
        {"fail", "verify.fail"},       {"fetched", "verify.fetched"},
        {"proof", "verify.r.proof"},   {"vkey", "verify.r.vkey"},
        {"checkpoint", "verify.r.checkpoint"},
        {"origin", "verify.r.origin"}, {"signature", "verify.r.signature"},
        {"size", "verify.r.size"},     {"path", "verify.r.path"},
        {"root", "verify.r.root"},     {"crypto", "verify.r.crypto"},
        {"fetch", "verify.r.fetch"},   {"cosigned", "verify.cosigned"},
        {"uncosigned", "verify.uncosigned"}};
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        data_msg(p, msgs[i][0], msgs[i][1]);
    web__page_raw(p, ">\n<h2 id=\"verify-h\">");
    web__page_t(p, "verify.title");
    web__page_raw(p, "</h2>\n<p>");
    web__page_t(p, "verify.intro");
    web__page_raw(p, "</p>\n<form id=\"verify-form\" class=\"stack\">\n"
                "<div class=\"row\"><div class=\"field\">"
                "<label for=\"verify-id\">");
    web__page_t(p, "verify.id");
    web__page_raw(p, "</label><input id=\"verify-id\" name=\"id\" "
                "autocomplete=\"off\" spellcheck=\"false\" value=\"");
    web__page_text(p, id ? id : "");
    web__page_raw(p, "\"></div><div class=\"field\"><label for=\"verify-version\">");
    web__page_t(p, "verify.version");
    web__page_raw(p, "</label><input id=\"verify-version\" name=\"version\" "
                "type=\"number\" min=\"1\" inputmode=\"numeric\" value=\"");
    if (version > 0)
        web__page_rawf(p, "%d", version);
    web__page_raw(p, "\"></div><button type=\"button\" id=\"verify-fetch\">");
    web__page_t(p, "verify.fetch");
    web__page_raw(p, "</button></div>\n<div class=\"field\">"
                "<label for=\"verify-entry\">");
    web__page_t(p, "verify.entry");
    web__page_raw(p, "</label><textarea id=\"verify-entry\" name=\"entry\" "
                "rows=\"5\" spellcheck=\"false\" dir=\"ltr\">");
    web__page_text(p, entry ? entry : "");
    web__page_raw(p, "</textarea></div>\n<div class=\"field\">"
                "<label for=\"verify-proof\">");
    web__page_t(p, "verify.proof");
    web__page_raw(p, "</label><textarea id=\"verify-proof\" name=\"proof\" "
                "rows=\"8\" spellcheck=\"false\" dir=\"ltr\">");
    web__page_text(p, proof_json ? proof_json : "");
    web__page_raw(p, "</textarea></div>\n<button type=\"submit\" id=\"verify-run\">");
    web__page_t(p, "verify.run");
    web__page_raw(p, "</button>\n</form>\n<output id=\"verify-result\" "
                "for=\"verify-entry verify-proof\" data-status=\"\" "
                "role=\"status\" aria-live=\"polite\"></output>\n"
                "<div id=\"verify-cosigs\" data-count=\"\" hidden><p></p>"
                "<ul></ul></div>\n</section>\n");
}

/* The checkpoint as /log/checkpoint serves it: with the witnesses'
 * cosignatures collected for it, if any (tlog/cosig.h). */
static void with_cosigs(const web_page *p, reg_log_info *li)
{
    char *served = NULL;
    size_t n = 0;
    osafe_err e;
    if (tlog_cosigned_read(p->log_dir, &served, &n, &e) == 0 &&
        n >= li->note_len && !memcmp(served, li->note, li->note_len)) {
        free(li->note);
        li->note = served;
        li->note_len = n;
    } else {
        free(served);
    }
}

void web__page_log(web_page *p)
{
    web__page_begin(p, web__t(p, "log.title"), "nav.log");
    web__page_raw(p, "<h1>");
    web__page_t(p, "log.title");
    web__page_raw(p, "</h1>\n<p>");
    web__page_t(p, "log.intro");
    web__page_raw(p, "</p>\n<section aria-labelledby=\"cp-h\"><h2 id=\"cp-h\">");
    web__page_t(p, "log.checkpoint");
    web__page_raw(p, "</h2>\n");
    reg_log_info li;
    osafe_err e;
    char *served = NULL; /* the checkpoint shown, for the witnesses */
    if (reg_log_head(p->reg, &li, &e) != 0) {
        web__page_raw(p, "<p id=\"checkpoint-missing\">");
        web__page_t(p, "log.none");
        web__page_raw(p, "</p>\n");
    } else {
        with_cosigs(p, &li);
        /* the signatures: one line each after the note's blank line */
        int sigs = 0;
        const char *body_end = strstr(li.note, "\n\n");
        for (const char *s = body_end; s && (s = strstr(s, "\n\xe2\x80\x94 "));
             s++)
            sigs++;
        web__page_raw(p, "<dl class=\"facts\"><dt>");
        web__page_t(p, "log.origin");
        web__page_raw(p, "</dt><dd id=\"checkpoint-origin\" dir=\"ltr\">");
        web__page_text(p, li.origin);
        web__page_raw(p, "</dd><dt>");
        web__page_t(p, "log.size");
        web__page_rawf(p, "</dt><dd id=\"checkpoint-size\" data-value=\"%llu\">",
                  (unsigned long long)li.size);
        web__page_int(p, (long long)li.size);
        web__page_raw(p, "</dd><dt>");
        web__page_t(p, "log.root");
        web__page_raw(p, "</dt><dd><code id=\"checkpoint-root\" dir=\"ltr\">");
        web__page_text(p, li.root);
        web__page_raw(p, "</code></dd>");
        web__page_raw(p, "<dt>");
        web__page_t(p, "log.signatures");
        web__page_raw(p, "</dt><dd id=\"checkpoint-signatures\">");
        web__page_int(p, sigs);
        if (sigs <= 1) {
            web__page_raw(p, " <small>");
            web__page_t(p, "log.cosign_later");
            web__page_raw(p, "</small>");
        }
        web__page_raw(p, "</dd></dl>\n<pre id=\"checkpoint-note\" "
                    "dir=\"ltr\">");
        web__page_text_n(p, li.note, li.note_len);
        web__page_raw(p, "</pre>\n");
        served = li.note; /* kept for the witnesses' section */
        li.note = NULL;
        reg_log_info_release(&li);
    }
    char vkey[512];
    if (web__log_vkey(p, vkey, sizeof vkey) == 0) {
        web__page_raw(p, "<p>");
        web__page_t(p, "log.vkey");
        web__page_raw(p, " <code id=\"log-vkey\" dir=\"ltr\">");
        web__page_text(p, vkey);
        web__page_raw(p, "</code></p>\n");
    }
    web__page_raw(p, "</section>\n");
    web__log_witnesses(p, served);
    free(served);
    web__log_peers(p);
    web__verify_widget(p, web__page_query(p, "id"), 0, NULL, NULL);
    web__page_end(p, "verify.js");
}
