/*
 * run_local.c - `eval run --model-file`: the in-process model behind the
 * same client interface as an endpoint (client_new_local), and what the
 * manifest records of it (the file's SHA-256, the chat template used);
 * the same for the judge's model file (--judge-model-file).
 */
#include <string.h>

#include "eval/run_internal.h"
#include "infer/engine.h"

int run__local_open(const run_opts *o, run_opts *local,
                    struct infer_engine **engine, char *ep, size_t n,
                    osafe_err *e)
{
    *engine = NULL;
    if (o->temperature > 0 && !o->has_seed)
        return osafe_errf(e, OSAFE_EINVAL,
                          "--model-file with --temperature above 0 needs "
                          "--seed: an in-process run is reproducible");
    infer_engine_opts eo = {o->model_file, o->threads, o->n_ctx,
                            o->chat_template, o->completions};
    int rc = infer_engine_open(&eo, engine, e);
    if (rc)
        return rc;
    *local = *o;
    snprintf(ep, n, "gguf:sha256:%s", infer_engine_sha256(*engine));
    local->endpoint = ep;
    local->engine = *engine;
    local->chat_template = infer_engine_template(*engine);
    if (!local->model) {
        const char *slash = strrchr(o->model_file, '/');
        local->model = slash ? slash + 1 : o->model_file;
    }
    return 0;
}

/* What the manifest records of a model file: its hash, name, chat
 * template, architecture and context. */
static json_t *model_record(const struct infer_engine *en, const char *file,
                            const char *tmpl)
{
    const char *slash = strrchr(file, '/');
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "sha256",
                     infer_engine_sha256(en), "file", slash ? slash + 1 : file,
                     "chat_template", tmpl, "architecture",
                     infer_engine_arch(en), "ctx", (int)infer_engine_ctx(en));
}

json_t *run__local_config(const run_opts *o)
{
    return model_record(o->engine, o->model_file, o->chat_template);
}

int run__judge_open(run_opts *o, struct infer_engine **engine, osafe_err *e)
{
    *engine = NULL;
    /* Chat always: the judge's request is a system and a user message. */
    infer_engine_opts eo = {o->judge_model_file, o->threads, o->n_ctx,
                            o->judge_chat_template, 0};
    int rc = infer_engine_open(&eo, engine, e);
    if (rc) {
        osafe_errprefix(e, "--judge-model-file: ");
        return rc;
    }
    o->judge_engine = *engine;
    o->judge_chat_template = infer_engine_template(*engine);
    if (!o->judge_model) {
        const char *slash = strrchr(o->judge_model_file, '/');
        o->judge_model = slash ? slash + 1 : o->judge_model_file;
    }
    return 0;
}

json_t *run__judge_config(const run_opts *o)
{
    return model_record(o->judge_engine, o->judge_model_file,
                        o->judge_chat_template);
}
