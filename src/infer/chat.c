/*
 * chat.c - detecting and rendering chat templates (chat.h).  Detection is
 * by substrings of the stored Jinja template, in llama.cpp's order; the
 * rendering follows each family's published template for system, user
 * and assistant turns (docs/INFERENCE.md lists what differs).
 */
#include <string.h>

#include "infer/chat.h"

static const char *const names[] = {"chatml", "llama3", "llama2", "gemma",
                                    "phi3"};

const char *infer_chat_name(int t)
{
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t]
                                                               : "?";
}

static bool has(gguf_str s, const char *needle)
{
    size_t n = strlen(needle);
    for (uint64_t i = 0; n <= s.len && i + n <= s.len; i++)
        if (memcmp(s.p + i, needle, n) == 0)
            return true;
    return false;
}

int infer_chat_detect(const gguf_file *g, const char *override, int *out,
                      osafe_err *e)
{
    if (override) {
        for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
            if (strcmp(override, names[i]) == 0) {
                *out = i;
                return 0;
            }
        return osafe_errf(e, OSAFE_EINVAL,
                          "chat template '%s' is unknown (" INFER_CHAT_NAMES
                          " are)",
                          override);
    }
    gguf_str t;
    if (gguf_get_str(g, "tokenizer.chat_template", &t, NULL) != 0)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "the model file has no chat template "
                          "(tokenizer.chat_template); name one with "
                          "--chat-template (" INFER_CHAT_NAMES ")");
    if (has(t, "<|im_start|>"))
        *out = INFER_CHAT_CHATML;
    else if (has(t, "<|start_header_id|>"))
        *out = INFER_CHAT_LLAMA3;
    else if (has(t, "<start_of_turn>"))
        *out = INFER_CHAT_GEMMA;
    else if (has(t, "<|assistant|>") && has(t, "<|end|>"))
        *out = INFER_CHAT_PHI3;
    else if (has(t, "[INST]"))
        *out = INFER_CHAT_LLAMA2;
    else
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "the model's chat template is not one we render; "
                          "name the family with --chat-template "
                          "(" INFER_CHAT_NAMES ")");
    return 0;
}

/* The prompt being rendered: its text, and for each byte whether it is
 * scaffolding (where special tokens may be recognised) or content. */
typedef struct rend {
    osafe_buf text, mask;
} rend;

static int add(rend *r, const char *s, size_t n, bool scaffold)
{
    OSAFE_IGNORE(buf_append(&r->text, s, n)); /* buf_status below */
    for (size_t i = 0; i < n; i++)
        OSAFE_IGNORE(buf_putc(&r->mask, scaffold ? 1 : 0));
    return buf_status(&r->text) ? buf_status(&r->text) : buf_status(&r->mask);
}

static int scaf(rend *r, const char *s)
{
    return add(r, s, strlen(s), true);
}

static int text(rend *r, const char *s, bool trim)
{
    size_t n = strlen(s);
    if (trim) {
        while (n && strchr(" \t\r\n", s[n - 1]))
            n--;
        while (n && strchr(" \t\r\n", *s))
            s++, n--;
    }
    return add(r, s, n, false);
}

/* role/content/role-end for the families that are only that. */
static int simple_turn(rend *r, int t, const infer_msg *m)
{
    int rc;
    const char *role = m->role;
    switch (t) {
    case INFER_CHAT_CHATML:
        if ((rc = scaf(r, "<|im_start|>")) ||
            (rc = scaf(r, role)) || (rc = scaf(r, "\n")) ||
            (rc = text(r, m->content, false)))
            return rc;
        return scaf(r, "<|im_end|>\n");
    case INFER_CHAT_LLAMA3:
        if ((rc = scaf(r, "<|start_header_id|>")) ||
            (rc = scaf(r, role)) ||
            (rc = scaf(r, "<|end_header_id|>\n\n")) ||
            (rc = text(r, m->content, true)))
            return rc;
        return scaf(r, "<|eot_id|>");
    case INFER_CHAT_GEMMA:
        if ((rc = scaf(r, "<start_of_turn>")) ||
            (rc = scaf(r, strcmp(role, "assistant") ? "user" : "model")) ||
            (rc = scaf(r, "\n")) ||
            (rc = text(r, m->content, true)))
            return rc;
        return scaf(r, "<end_of_turn>\n");
    default: /* phi3 */
        if ((rc = scaf(r, "<|")) || (rc = scaf(r, role)) ||
            (rc = scaf(r, "|>\n")) ||
            (rc = text(r, m->content, false)))
            return rc;
        return scaf(r, "<|end|>\n");
    }
}

/* [INST] turns: the system text goes into the first user turn inside
 * <<SYS>> markers (Llama-2); an assistant turn ends with </s>. */
static int inst_turns(rend *r, const infer_msg *msgs, size_t n)
{
    const char *sys = NULL;
    int rc = 0;
    bool after_answer = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const infer_msg *m = &msgs[i];
        if (strcmp(m->role, "system") == 0) {
            sys = m->content;
        } else if (strcmp(m->role, "user") == 0) {
            if (after_answer && (rc = scaf(r, "<s>")))
                return rc;
            if ((rc = scaf(r, "[INST] ")))
                return rc;
            if (sys && ((rc = scaf(r, "<<SYS>>\n")) ||
                        (rc = text(r, sys, true)) ||
                        (rc = scaf(r, "\n<</SYS>>\n\n"))))
                return rc;
            sys = NULL;
            if ((rc = text(r, m->content, true)))
                return rc;
            rc = scaf(r, " [/INST]");
        } else {
            if ((rc = scaf(r, " ")) ||
                (rc = text(r, m->content, true)))
                return rc;
            rc = scaf(r, "</s>");
            after_answer = true;
        }
    }
    return rc;
}

static int render(rend *r, int t, const infer_msg *msgs, size_t n)
{
    int rc;
    if (t == INFER_CHAT_LLAMA2)
        return inst_turns(r, msgs, n);
    /* Gemma has no system role: its text opens the first user turn */
    const char *sys_pending = NULL;
    for (size_t i = 0; i < n; i++) {
        infer_msg m = msgs[i];
        if (t == INFER_CHAT_GEMMA && strcmp(m.role, "system") == 0) {
            sys_pending = m.content;
            continue;
        }
        if (sys_pending && strcmp(m.role, "user") == 0) {
            if ((rc = scaf(r, "<start_of_turn>user\n")) ||
                (rc = text(r, sys_pending, true)) ||
                (rc = add(r, "\n\n", 2, false)) ||
                (rc = text(r, m.content, true)) ||
                (rc = scaf(r, "<end_of_turn>\n")))
                return rc;
            sys_pending = NULL;
            continue;
        }
        if ((rc = simple_turn(r, t, &m)))
            return rc;
    }
    static const char *const open[] = {
        "<|im_start|>assistant\n",
        "<|start_header_id|>assistant<|end_header_id|>\n\n", "",
        "<start_of_turn>model\n", "<|assistant|>\n"};
    return scaf(r, open[t]);
}

int infer_chat_render(const infer_vocab *v, int t, const infer_msg *msgs,
                      size_t n, infer_tokens *out, osafe_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(msgs[i].role, "system") && strcmp(msgs[i].role, "user") &&
            strcmp(msgs[i].role, "assistant"))
            return osafe_errf(e, OSAFE_EINVAL,
                              "message %zu: role '%.32s' (system, user or "
                              "assistant)",
                              i, msgs[i].role);
    int rc;
    if (infer_vocab_add_bos(v) &&
        (rc = infer_tokens_push(out, infer_vocab_bos(v), e)))
        return rc;
    rend r = {OSAFE_BUF_INIT, OSAFE_BUF_INIT};
    rc = render(&r, t, msgs, n);
    if (rc)
        rc = osafe_errf(e, rc, "chat prompt: out of memory");
    else
        rc = infer_tokenize_masked(v, r.text.data, r.text.len,
                                   (const uint8_t *)r.mask.data, true, out, e);
    buf_release(&r.text);
    buf_release(&r.mask);
    return rc;
}
