/* model/jw.c: compact JSON output in a caller-chosen member order. Keys are literals from the
 * model (never user input) and are written unescaped; string values go through buf_json_str. */
#include "model/model_int.h"
#include "util/ids.h"

#include <errno.h>
#include <string.h>

void model_jw_init(struct model_jw *w, struct buf *b)
{
    *w = (struct model_jw){.b = b};
}

/* Writes the separator and "key": for the next value at the current level. */
static void jw_key(struct model_jw *w, const char *key)
{
    if (w->r < 0)
        return;
    if (w->more[w->depth])
        w->r = buf_append(w->b, ",", 1);
    w->more[w->depth] = true;
    if (w->r == 0 && key) { /* appends, not printf: this runs for every member written */
        size_t n = strlen(key);
        w->r = buf_reserve(w->b, n + 3);
        if (w->r == 0) {
            char *p = w->b->data + w->b->len;
            p[0] = '"';
            memcpy(p + 1, key, n);
            p[n + 1] = '"';
            p[n + 2] = ':';
            w->b->len += n + 3;
            w->b->data[w->b->len] = '\0';
        }
    }
}

static void jw_open(struct model_jw *w, const char *key, char c)
{
    jw_key(w, key);
    if (w->r == 0 && w->depth + 1 >= MODEL_JW_DEPTH)
        w->r = -EINVAL; /* programmer error: nesting deeper than any model object */
    if (w->r == 0)
        w->r = buf_append(w->b, &c, 1);
    if (w->r == 0)
        w->more[++w->depth] = false;
}

static void jw_close(struct model_jw *w, char c)
{
    if (w->r == 0 && w->depth == 0)
        w->r = -EINVAL;
    if (w->r == 0) {
        w->depth--;
        w->r = buf_append(w->b, &c, 1);
    }
}

void model_jw_obj(struct model_jw *w, const char *key)
{
    jw_open(w, key, '{');
}

void model_jw_obj_end(struct model_jw *w)
{
    jw_close(w, '}');
}

void model_jw_arr(struct model_jw *w, const char *key)
{
    jw_open(w, key, '[');
}

void model_jw_arr_end(struct model_jw *w)
{
    jw_close(w, ']');
}

void model_jw_str(struct model_jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (w->r == 0)
        w->r = buf_json_str(w->b, s ? s : "");
}

void model_jw_opt_str(struct model_jw *w, const char *key, const char *s)
{
    if (s && *s)
        model_jw_str(w, key, s);
}

void model_jw_int(struct model_jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    if (w->r == 0)
        w->r = buf_int(w->b, v);
}

void model_jw_bool(struct model_jw *w, const char *key, bool v)
{
    jw_key(w, key);
    if (w->r == 0)
        w->r = buf_puts(w->b, v ? "true" : "false");
}

void model_jw_req_str(struct model_jw *w, const char *key, const char *s, bool internal)
{
    if (internal)
        model_jw_opt_str(w, key, s);
    else
        model_jw_str(w, key, s);
}

void model_jw_time(struct model_jw *w, const char *key, int64_t ms, bool internal)
{
    char ts[TIMESTAMP_STR_LEN];

    if (internal) {
        model_jw_int(w, key, ms);
        return;
    }
    ids_format_ts(ms, ts);
    model_jw_str(w, key, ts);
}

int model_jw_done(struct model_jw *w)
{
    if (w->r == 0 && w->depth != 0)
        w->r = -EINVAL;
    return w->r;
}

void model_jw_double(struct model_jw *w, const char *key, double v)
{
    jw_key(w, key);
    if (w->r == 0) /* 17 significant digits read back as the same double */
        w->r = buf_printf(w->b, "%.17g", v);
}
