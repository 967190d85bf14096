/*
 * chat.h - chat templates rendered in C, for the families llama.cpp
 * detects from the Jinja template stored in a GGUF file (we never run
 * Jinja): ChatML, Llama-3, Llama-2/Mistral [INST], Gemma, Phi-3.
 *
 * The scaffolding of a template is tokenized with special tokens on; the
 * messages' content with them off, so that text inside a message can
 * never open or close a turn.  A template we do not recognise is an error
 * that names the override (--chat-template NAME), never a silent guess.
 */
#ifndef OSAFE_INFER_CHAT_H
#define OSAFE_INFER_CHAT_H

#include <stddef.h>

#include "core/status.h"
#include "infer/gguf.h"
#include "infer/vocab.h"

enum infer_chat {
    INFER_CHAT_CHATML,
    INFER_CHAT_LLAMA3,
    INFER_CHAT_LLAMA2,
    INFER_CHAT_GEMMA,
    INFER_CHAT_PHI3,
};

/* The names --chat-template accepts, for messages. */
#define INFER_CHAT_NAMES "chatml, llama3, llama2, gemma, phi3"

typedef struct infer_msg {
    const char *role; /* "system", "user" or "assistant" */
    const char *content;
} infer_msg;

/* The template of g, or override (a name of INFER_CHAT_NAMES) when not
 * NULL.  ENOTFOUND: the file has no template; EUNSUPPORTED: unknown. */
int infer_chat_detect(const gguf_file *g, const char *override, int *out,
                      osafe_err *e) OSAFE_MUST_USE;
const char *infer_chat_name(int tmpl);

/* Append the tokens of msgs rendered with tmpl, ending with the opening
 * of the assistant's turn; BOS first when the vocabulary adds one. */
int infer_chat_render(const infer_vocab *v, int tmpl, const infer_msg *msgs,
                      size_t n, infer_tokens *out,
                      osafe_err *e) OSAFE_MUST_USE;

#endif
