/* fuzz/fuzz_tag_body.c: the tag bodies (src/model/tag_body.c, spec §5.2): tags/create and
 * tags/delete {"tags":[...]} merged into / removed from a fixed resource tag set, and the
 * resource-instances filter / count body. Invariants: a merge that succeeds leaves at most 20
 * tags with no key twice and every added key with its new value; a failed merge leaves the set
 * unchanged; a remove leaves none of the removed keys. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "tests/unit/model_text.h"
#include "model/model.h"

static void fixed_set(struct model_tags *t, size_t n)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < n; i++) {
        snprintf(t->v[i].key, sizeof(t->v[i].key), "k%zu", i);
        snprintf(t->v[i].value, sizeof(t->v[i].value), "v%zu", i);
    }
    t->n = n;
}

static size_t find(const struct model_tags *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].key, key) == 0)
            return i;
    return t->n;
}

static void check_set(const struct model_tags *t)
{
    if (t->n > MODEL_MAX_TAGS)
        fuzz_fail("%zu tags in a set", t->n);
    for (size_t i = 0; i < t->n; i++)
        if (find(t, t->v[i].key) != i)
            fuzz_fail("key \"%s\" twice", t->v[i].key);
}

static void merge_and_remove(const struct model_tags *body, size_t start)
{
    struct model_tags *cur = fuzz_zalloc(sizeof(*cur));
    struct model_tags *before = fuzz_zalloc(sizeof(*before));
    struct verr err = {0};

    fixed_set(cur, start);
    memcpy(before, cur, sizeof(*cur));
    if (model_tags_merge(cur, body, &err) == 0) {
        check_set(cur);
        for (size_t i = 0; i < body->n; i++) {
            size_t k = find(cur, body->v[i].key);
            if (k == cur->n || strcmp(cur->v[k].value, body->v[i].value) != 0)
                fuzz_fail("merged key \"%s\" lost its value", body->v[i].key);
        }
    } else {
        fuzz_check_verr(&err);
        if (memcmp(cur, before, sizeof(*cur)) != 0)
            fuzz_fail("a failed merge changed the set");
    }
    model_tags_remove(cur, body);
    check_set(cur);
    for (size_t i = 0; i < body->n; i++)
        if (find(cur, body->v[i].key) != cur->n)
            fuzz_fail("removed key \"%s\" still there", body->v[i].key);
    free(cur);
    free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct model_tags *tags = fuzz_zalloc(sizeof(*tags));
    struct model_tag_filter *f = fuzz_zalloc(sizeof(*f));
    struct verr err = {0};

    int r = tm_tag_body_parse(body, size, tags, &err);
    if (r == 0) {
        if (tags->n == 0)
            fuzz_fail("an empty tag body was accepted");
        check_set(tags);
        merge_and_remove(tags, 0);
        merge_and_remove(tags, 3);
        merge_and_remove(tags, MODEL_MAX_TAGS);
    } else if (r == -EINVAL) {
        fuzz_check_verr(&err);
    } else if (r != -ENOMEM) {
        fuzz_fail("model_tag_body_parse returned %d", r);
    }

    r = tm_tag_filter_parse(body, size, f, &err);
    if (r == 0) {
        if (f->n_tags > MODEL_FILTER_MAX_TAGS)
            fuzz_fail("%zu filter tags", f->n_tags);
        for (size_t i = 0; i < f->n_tags; i++)
            if (f->tags[i].n_values > MODEL_FILTER_MAX_VALUES)
                fuzz_fail("%zu filter values", f->tags[i].n_values);
    } else if (r == -EINVAL) {
        fuzz_check_verr(&err);
    } else if (r != -ENOMEM) {
        fuzz_fail("model_tag_filter_parse returned %d", r);
    }
    free(tags);
    free(f);
    return 0;
}
