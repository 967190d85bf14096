/*
 * web_log.c - /log: the log's current checkpoint, its verifier key, and the
 * in-browser inclusion check (assets/verify.js), whose widget the incident
 * page reuses (web_verify_widget).
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

int web_log_vkey(const web_page *p, char *out, size_t size)
{
    osafe_err e;
    return reg_log_vkey(p->reg, out, size, &e) ? -1 : 0;
}

static void data_msg(web_page *p, const char *name, const char *key)
{
    page_rawf(p, " data-msg-%s=\"", name);
    page_t(p, key);
    page_raw(p, "\"");
}

void web_verify_widget(web_page *p, const char *id, int version,
                       const char *entry, const char *proof_json)
{
    char vkey[512] = "";
    web_log_vkey(p, vkey, sizeof vkey);
    page_raw(p, "<section id=\"verify\" class=\"verify\" "
                "aria-labelledby=\"verify-h\" data-vkey=\"");
    page_text(p, vkey);
    page_raw(p, "\"");
    static const char *const msgs[][2] = {
        {"running", "verify.running"}, {"ok", "verify.ok"},
        {"fail", "verify.fail"},       {"fetched", "verify.fetched"},
        {"proof", "verify.r.proof"},   {"vkey", "verify.r.vkey"},
        {"checkpoint", "verify.r.checkpoint"},
        {"origin", "verify.r.origin"}, {"signature", "verify.r.signature"},
        {"size", "verify.r.size"},     {"path", "verify.r.path"},
        {"root", "verify.r.root"},     {"crypto", "verify.r.crypto"},
        {"fetch", "verify.r.fetch"}};
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        data_msg(p, msgs[i][0], msgs[i][1]);
    page_raw(p, ">\n<h2 id=\"verify-h\">");
    page_t(p, "verify.title");
    page_raw(p, "</h2>\n<p>");
    page_t(p, "verify.intro");
    page_raw(p, "</p>\n<form id=\"verify-form\" class=\"stack\">\n"
                "<div class=\"row\"><div class=\"field\">"
                "<label for=\"verify-id\">");
    page_t(p, "verify.id");
    page_raw(p, "</label><input id=\"verify-id\" name=\"id\" "
                "autocomplete=\"off\" spellcheck=\"false\" value=\"");
    page_text(p, id ? id : "");
    page_raw(p, "\"></div><div class=\"field\"><label for=\"verify-version\">");
    page_t(p, "verify.version");
    page_raw(p, "</label><input id=\"verify-version\" name=\"version\" "
                "type=\"number\" min=\"1\" inputmode=\"numeric\" value=\"");
    if (version > 0)
        page_rawf(p, "%d", version);
    page_raw(p, "\"></div><button type=\"button\" id=\"verify-fetch\">");
    page_t(p, "verify.fetch");
    page_raw(p, "</button></div>\n<div class=\"field\">"
                "<label for=\"verify-entry\">");
    page_t(p, "verify.entry");
    page_raw(p, "</label><textarea id=\"verify-entry\" name=\"entry\" "
                "rows=\"5\" spellcheck=\"false\" dir=\"ltr\">");
    page_text(p, entry ? entry : "");
    page_raw(p, "</textarea></div>\n<div class=\"field\">"
                "<label for=\"verify-proof\">");
    page_t(p, "verify.proof");
    page_raw(p, "</label><textarea id=\"verify-proof\" name=\"proof\" "
                "rows=\"8\" spellcheck=\"false\" dir=\"ltr\">");
    page_text(p, proof_json ? proof_json : "");
    page_raw(p, "</textarea></div>\n<button type=\"submit\" id=\"verify-run\">");
    page_t(p, "verify.run");
    page_raw(p, "</button>\n</form>\n<output id=\"verify-result\" "
                "for=\"verify-entry verify-proof\" data-status=\"\" "
                "role=\"status\" aria-live=\"polite\"></output>\n</section>\n");
}

void page_log(web_page *p)
{
    page_begin(p, T(p, "log.title"), "nav.log");
    page_raw(p, "<h1>");
    page_t(p, "log.title");
    page_raw(p, "</h1>\n<p>");
    page_t(p, "log.intro");
    page_raw(p, "</p>\n<section aria-labelledby=\"cp-h\"><h2 id=\"cp-h\">");
    page_t(p, "log.checkpoint");
    page_raw(p, "</h2>\n");
    reg_log_info li;
    osafe_err e;
    if (reg_log_head(p->reg, &li, &e) != 0) {
        page_raw(p, "<p id=\"checkpoint-missing\">");
        page_t(p, "log.none");
        page_raw(p, "</p>\n");
    } else {
        /* the signatures: one line each after the note's blank line */
        int sigs = 0;
        const char *body_end = strstr(li.note, "\n\n");
        for (const char *s = body_end; s && (s = strstr(s, "\n\xe2\x80\x94 "));
             s++)
            sigs++;
        page_raw(p, "<dl class=\"facts\"><dt>");
        page_t(p, "log.origin");
        page_raw(p, "</dt><dd id=\"checkpoint-origin\" dir=\"ltr\">");
        page_text(p, li.origin);
        page_raw(p, "</dd><dt>");
        page_t(p, "log.size");
        page_rawf(p, "</dt><dd id=\"checkpoint-size\" data-value=\"%llu\">",
                  (unsigned long long)li.size);
        page_int(p, (long long)li.size);
        page_raw(p, "</dd><dt>");
        page_t(p, "log.root");
        page_raw(p, "</dt><dd><code id=\"checkpoint-root\" dir=\"ltr\">");
        page_text(p, li.root);
        page_raw(p, "</code></dd>");
        page_raw(p, "<dt>");
        page_t(p, "log.signatures");
        page_raw(p, "</dt><dd id=\"checkpoint-signatures\">");
        page_int(p, sigs);
        page_raw(p, " <small>");
        page_t(p, "log.cosign_later");
        page_raw(p, "</small></dd></dl>\n<pre id=\"checkpoint-note\" "
                    "dir=\"ltr\">");
        page_text_n(p, li.note, li.note_len);
        page_raw(p, "</pre>\n");
        reg_log_info_release(&li);
    }
    char vkey[512];
    if (web_log_vkey(p, vkey, sizeof vkey) == 0) {
        page_raw(p, "<p>");
        page_t(p, "log.vkey");
        page_raw(p, " <code id=\"log-vkey\" dir=\"ltr\">");
        page_text(p, vkey);
        page_raw(p, "</code></p>\n");
    }
    page_raw(p, "</section>\n");
    web_verify_widget(p, page_query(p, "id"), 0, NULL, NULL);
    page_end(p, "verify.js");
}
