/* bindings.c: captured variables (see ic_match.h).
 *
 * A small growable array searched linearly: a scenario binds a few dozen
 * names at most.  Bindings are only ever appended by the matcher, so a mark
 * is simply the count and a rollback frees everything past it.
 */
#include "ic_match.h"
#include "ic_error.h"

#include <stdlib.h>
#include <string.h>

void ic_bindings_init(ic_bindings *b)
{
    b->items = NULL;
    b->n = 0;
    b->alloc = 0;
}

static void binding_free(ic_binding *item)
{
    free(item->name);
    ic_buf_free(&item->value);
}

void ic_bindings_free(ic_bindings *b)
{
    ic_bindings_rollback(b, 0);
    free(b->items);
    ic_bindings_init(b);
}

static ic_binding *find(const ic_bindings *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->items[i].name, name) == 0)
            return &b->items[i];
    return NULL;
}

static int copy_value(ic_buf *out, ic_bytes value)
{
    ic_buf_init(out, 0);
    /* Reserve even for an empty value so data is never NULL. */
    int rc = ic_buf_reserve(out, value.len);
    if (!rc)
        rc = ic_buf_append(out, value.ptr, value.len);
    if (rc)
        ic_buf_free(out);
    return rc;
}

static int grow(ic_bindings *b)
{
    if (b->n < b->alloc)
        return IC_OK;
    size_t n = b->alloc ? b->alloc * 2 : 16;
    ic_binding *p = realloc(b->items, n * sizeof *p);
    if (!p)
        return IC_ERR_NOMEM;
    b->items = p;
    b->alloc = n;
    return IC_OK;
}

/* Replacing keeps the binding's position: a rollback to a mark taken before
 * the original binding still removes it, but one taken after the first set
 * does not restore the old value (the matcher never replaces). */
int ic_bindings_set(ic_bindings *b, const char *name, ic_bytes value, bool is_mailbox)
{
    ic_buf copy;
    int rc = copy_value(&copy, value);
    if (rc)
        return rc;
    ic_binding *existing = find(b, name);
    if (existing) {
        ic_buf_free(&existing->value);
        existing->value = copy;
        existing->is_mailbox = is_mailbox;
        return IC_OK;
    }
    char *name_copy = strdup(name);
    if (!name_copy || grow(b)) {
        free(name_copy);
        ic_buf_free(&copy);
        return IC_ERR_NOMEM;
    }
    b->items[b->n++] = (ic_binding){ name_copy, copy, is_mailbox };
    return IC_OK;
}

const ic_binding *ic_bindings_get(const ic_bindings *b, const char *name)
{
    return find(b, name);
}

size_t ic_bindings_mark(const ic_bindings *b)
{
    return b->n;
}

void ic_bindings_rollback(ic_bindings *b, size_t mark)
{
    while (b->n > mark)
        binding_free(&b->items[--b->n]);
}

bool ic_bindings_lookup(void *bindings, const char *name, ic_bytes *value)
{
    const ic_binding *item = find(bindings, name);
    if (!item)
        return false;
    *value = ic_buf_bytes(&item->value);
    return true;
}
