/*
 * yamlx.c - restricted YAML loader over libyaml's event parser.
 *
 * The tree is built with an explicit stack, never by recursion: each
 * collection is attached to its parent as soon as it starts, so on any error
 * freeing the root frees everything built so far.
 */
#include "core/yamlx.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/limits.h"

#define CORE_TAG "tag:yaml.org,2002:"

typedef struct yx_frame {
    json_t *node; /* borrowed: owned by its parent or the root */
    int is_map;
    char *key; /* pending key of a mapping (malloc'd), NULL if none */
} yx_frame;

typedef struct yx_state {
    yx_frame stack[OSAFE_YAML_MAX_DEPTH + 1];
    size_t depth;
    json_t *root;
    size_t nodes;
    osafe_err *e;
} yx_state;

static int yx_fail(yx_state *st, int code, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int yx_fail(yx_state *st, int code, yaml_mark_t m, const char *fmt, ...)
{
    char what[OSAFE_ERR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return osafe_errf(st->e, code, "line %zu, column %zu: %s",
                      (size_t)m.line + 1, (size_t)m.column + 1, what);
}

/* Quote at most 40 bytes of an untrusted name for a message. */
static const char *yx_short(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n > 40)
        n = 40;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20)
            buf[i] = '?';
    return buf;
}

/* 0 if the tag is absent, non-specific or the core tag "want" (or, when
 * want is NULL, any core scalar tag); the suffix of a core tag in *core. */
static int yx_tag_ok(yx_state *st, const yaml_char_t *tag, yaml_mark_t m,
                     const char *kind, const char **core)
{
    *core = NULL;
    if (!tag || !strcmp((const char *)tag, "!"))
        return 0;
    const char *t = (const char *)tag;
    char sb[64];
    if (!strncmp(t, CORE_TAG, strlen(CORE_TAG))) {
        const char *s = t + strlen(CORE_TAG);
        static const char *const scalar_tags[] = {"str", "int", "float", "bool",
                                                  "null"};
        if (!strcmp(kind, "scalar")) {
            for (size_t i = 0; i < sizeof scalar_tags / sizeof *scalar_tags;
                 i++)
                if (!strcmp(s, scalar_tags[i])) {
                    *core = s;
                    return 0;
                }
        } else if (!strcmp(s, kind)) {
            return 0;
        }
        return yx_fail(st, OSAFE_EINVAL, m, "tag '!!%s' is not allowed here",
                       yx_short(sb, sizeof sb, s));
    }
    return yx_fail(st, OSAFE_EINVAL, m, "tag '%s' is not allowed",
                   yx_short(sb, sizeof sb, t));
}

static int yx_count(yx_state *st, yaml_mark_t m)
{
    if (++st->nodes > OSAFE_YAML_MAX_NODES)
        return yx_fail(st, OSAFE_ETOOBIG, m,
                       "more than %u nodes (OSAFE_YAML_MAX_NODES)",
                       (unsigned)OSAFE_YAML_MAX_NODES);
    return 0;
}

/* Build the JSON value of a scalar according to its (core) tag. */
static int yx_scalar_value(yx_state *st, const yaml_event_t *ev,
                           const char *core, json_t **out)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    yaml_mark_t m = ev->start_mark;
    *out = NULL;
    if (memchr(v, '\0', n))
        return yx_fail(st, OSAFE_EINVAL, m, "scalar contains a NUL");
    if (!core || !strcmp(core, "str")) {
        *out = json_stringn(v, n);
        if (!*out)
            return yx_fail(st, OSAFE_EINVAL, m, "scalar is not UTF-8");
        return 0;
    }
    if (!strcmp(core, "null")) {
        if (n == 0 || !strcmp(v, "~") || !strcmp(v, "null") ||
            !strcmp(v, "Null") || !strcmp(v, "NULL")) {
            *out = json_null();
            return 0;
        }
        return yx_fail(st, OSAFE_EINVAL, m, "!!null value is not null");
    }
    if (!strcmp(core, "bool")) {
        if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
            *out = json_true();
        else if (!strcmp(v, "false") || !strcmp(v, "False") ||
                 !strcmp(v, "FALSE"))
            *out = json_false();
        else
            return yx_fail(st, OSAFE_EINVAL, m,
                           "!!bool value is not a "
                           "boolean");
        return 0;
    }
    if (!strcmp(core, "int")) {
        const char *p = v;
        int neg = 0, base = 10;
        if (*p == '+' || *p == '-')
            neg = *p++ == '-';
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o')) {
            base = p[1] == 'x' ? 16 : 8;
            p += 2;
        }
        if (!*p || *p == '+' || *p == '-' || *p == ' ')
            return yx_fail(st, OSAFE_EINVAL, m,
                           "!!int value is not an "
                           "integer");
        errno = 0;
        char *end;
        unsigned long long u = strtoull(p, &end, base);
        if (*end || errno || u > (unsigned long long)LLONG_MAX + neg)
            return yx_fail(st, OSAFE_EINVAL, m,
                           "!!int value is not a 64-bit "
                           "integer");
        json_int_t iv = neg ? (json_int_t)(0 - u) : (json_int_t)u;
        *out = json_integer(iv);
        return *out ? 0 : yx_fail(st, OSAFE_ENOMEM, m, "out of memory");
    }
    /* float */
    errno = 0;
    char *end;
    double d = strtod(v, &end);
    if (n == 0 || *end || errno || !isfinite(d))
        return yx_fail(st, OSAFE_EINVAL, m,
                       "!!float value is not a finite "
                       "number");
    *out = json_real(d);
    return *out ? 0 : yx_fail(st, OSAFE_ENOMEM, m, "out of memory");
}

/* Attach value (a new reference, stolen) to the top of the stack. */
static int yx_attach(yx_state *st, json_t *value, yaml_mark_t m)
{
    if (st->depth == 0) {
        st->root = value;
        return 0;
    }
    yx_frame *top = &st->stack[st->depth - 1];
    if (!top->is_map) {
        if (json_array_append_new(top->node, value))
            return yx_fail(st, OSAFE_ENOMEM, m, "out of memory");
        return 0;
    }
    char kb[64];
    if (json_object_get(top->node, top->key)) {
        int rc = yx_fail(st, OSAFE_EINVAL, m, "duplicate key '%s'",
                         yx_short(kb, sizeof kb, top->key));
        json_decref(value);
        return rc;
    }
    int rc = json_object_set_new(top->node, top->key, value);
    free(top->key);
    top->key = NULL;
    return rc ? yx_fail(st, OSAFE_ENOMEM, m, "out of memory") : 0;
}

static int yx_scalar(yx_state *st, const yaml_event_t *ev)
{
    yaml_mark_t m = ev->start_mark;
    const char *core;
    int rc;
    if (ev->data.scalar.anchor)
        return yx_fail(st, OSAFE_EINVAL, m, "anchors are not allowed");
    if ((rc = yx_tag_ok(st, ev->data.scalar.tag, m, "scalar", &core)) ||
        (rc = yx_count(st, m)))
        return rc;
    yx_frame *top = st->depth ? &st->stack[st->depth - 1] : NULL;
    if (top && top->is_map && !top->key) {
        /* A key: a string, even when tagged !!int (JSON keys are text). */
        const char *v = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        if (core && strcmp(core, "str"))
            return yx_fail(st, OSAFE_EINVAL, m, "mapping key tagged '!!%s'",
                           core);
        if (memchr(v, '\0', n))
            return yx_fail(st, OSAFE_EINVAL, m, "key contains a NUL");
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            !strcmp(v, "<<"))
            return yx_fail(st, OSAFE_EINVAL, m,
                           "merge keys are not "
                           "allowed");
        json_t *probe = json_stringn(v, n); /* UTF-8 check */
        if (!probe)
            return yx_fail(st, OSAFE_EINVAL, m, "key is not UTF-8");
        json_decref(probe);
        top->key = strdup(v);
        if (!top->key)
            return yx_fail(st, OSAFE_ENOMEM, m, "out of memory");
        return 0;
    }
    json_t *value;
    if ((rc = yx_scalar_value(st, ev, core, &value)))
        return rc;
    return yx_attach(st, value, m);
}

static int yx_start(yx_state *st, const yaml_event_t *ev, int is_map)
{
    yaml_mark_t m = ev->start_mark;
    const yaml_char_t *anchor =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    const yaml_char_t *tag =
        is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const char *core;
    int rc;
    if (anchor)
        return yx_fail(st, OSAFE_EINVAL, m, "anchors are not allowed");
    if ((rc = yx_tag_ok(st, tag, m, is_map ? "map" : "seq", &core)) ||
        (rc = yx_count(st, m)))
        return rc;
    yx_frame *top = st->depth ? &st->stack[st->depth - 1] : NULL;
    if (top && top->is_map && !top->key)
        return yx_fail(st, OSAFE_EINVAL, m,
                       "mapping keys must be "
                       "scalars");
    if (st->depth >= OSAFE_YAML_MAX_DEPTH)
        return yx_fail(st, OSAFE_ETOOBIG, m,
                       "nesting deeper than the limit"
                       " (OSAFE_YAML_MAX_DEPTH)");
    json_t *node = is_map ? json_object() : json_array();
    if (!node)
        return yx_fail(st, OSAFE_ENOMEM, m, "out of memory");
    if ((rc = yx_attach(st, node, m)))
        return rc;
    st->stack[st->depth].node = node;
    st->stack[st->depth].is_map = is_map;
    st->stack[st->depth].key = NULL;
    st->depth++;
    return 0;
}

static int yx_parse_error(yx_state *st, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "syntax error";
    yaml_mark_t m = p->problem_mark;
    int code = p->error == YAML_MEMORY_ERROR ? OSAFE_ENOMEM : OSAFE_EINVAL;
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a line. */
        return osafe_errf(st->e, code, "byte %zu: %s", p->problem_offset,
                          problem);
    }
    if (p->context)
        return osafe_errf(st->e, code, "line %zu, column %zu: %s %s",
                          (size_t)m.line + 1, (size_t)m.column + 1, problem,
                          p->context);
    return osafe_errf(st->e, code, "line %zu, column %zu: %s",
                      (size_t)m.line + 1, (size_t)m.column + 1, problem);
}

int yamlx_load(const char *text, size_t len, json_t **out, osafe_err *e)
{
    *out = NULL;
    if (len > OSAFE_YAML_MAX_BYTES)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "yaml: %zu bytes, more than the %u byte limit", len,
                          (unsigned)OSAFE_YAML_MAX_BYTES);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return osafe_errf(e, OSAFE_ENOMEM, "yaml: out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

    yx_state *st = calloc(1, sizeof *st);
    if (!st) {
        yaml_parser_delete(&parser);
        return osafe_errf(e, OSAFE_ENOMEM, "yaml: out of memory");
    }
    st->e = e;
    int rc = 0, docs = 0, done = 0;
    while (!done && !rc) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = yx_parse_error(st, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (docs++)
                rc = yx_fail(st, OSAFE_EINVAL, ev.start_mark,
                             "a second document is not allowed");
            break;
        case YAML_ALIAS_EVENT:
            rc = yx_fail(st, OSAFE_EINVAL, ev.start_mark,
                         "aliases are not allowed");
            break;
        case YAML_SCALAR_EVENT:
            rc = yx_scalar(st, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = yx_start(st, &ev, 0);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = yx_start(st, &ev, 1);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (st->depth) {
                st->depth--;
                free(st->stack[st->depth].key);
                st->stack[st->depth].key = NULL;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    for (size_t i = 0; i < st->depth; i++)
        free(st->stack[i].key);
    if (rc) {
        json_decref(st->root);
        free(st);
        return rc;
    }
    *out = st->root ? st->root : json_null();
    free(st);
    return 0;
}
