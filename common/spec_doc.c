/* spec_doc.c - a run spec as the fleet stores it (see spec_doc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ef_error.h"
#include "options.h"
#include "spec_doc.h"

static char *read_file(const char *path, size_t cap, char *errstr, size_t errsize) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        ef_seterr(errstr, errsize, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(cap + 1);
    size_t len = text ? fread(text, 1, cap + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!text || bad || len > cap) {
        ef_seterr(errstr, errsize, "%s: %s", path,
                  !text ? "out of memory"
                  : bad ? "read error"
                        : "larger than 1 MiB");
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/* Presentation settings belong to the process that shows them: they are
 * neither stored nor applied, so `produce --quiet` names the same run. */
static int per_process(const ef_option *o) {
    return o->type == EF_OPT_DEBUG || !strcmp(o->name, "progress") || !strcmp(o->name, "quiet");
}

char *ef_spec_doc_build(const cJSON *record, char *errstr, size_t errsize) {
    cJSON *doc = cJSON_CreateObject();
    cJSON *args = cJSON_CreateArray();
    char *out = NULL;
    if (!doc || !args) {
        cJSON_Delete(args);
        goto oom;
    }
    cJSON_AddItemToObject(doc, "args", args);
    const cJSON *pair;
    cJSON_ArrayForEach(pair, record) {
        const char *name = cJSON_GetArrayItem(pair, 0)->valuestring;
        const char *value = cJSON_GetArrayItem(pair, 1)->valuestring;
        if (!strcmp(name, "spec")) {
            /* One spec file per run, as `run` reads it: the last one wins. */
            char *text = read_file(value, 1024 * 1024, errstr, errsize);
            if (!text)
                goto fail;
            cJSON_DeleteItemFromObject(doc, "spec_path");
            cJSON_DeleteItemFromObject(doc, "yaml");
            int ok = cJSON_AddStringToObject(doc, "spec_path", value) &&
                     cJSON_AddStringToObject(doc, "yaml", text);
            free(text);
            if (!ok)
                goto oom;
            continue;
        }
        const ef_option *o = ef_option_find(name);
        if (o && per_process(o))
            continue;
        if (!cJSON_AddItemToArray(args, cJSON_Duplicate(pair, 1)))
            goto oom;
    }
    if (!(out = cJSON_PrintUnformatted(doc)))
        goto oom;
    if (strlen(out) > EF_SPEC_DOC_MAX) {
        ef_seterr(errstr, errsize, "the run spec is larger than %u bytes", EF_SPEC_DOC_MAX);
        free(out);
        out = NULL;
    }
    cJSON_Delete(doc);
    return out;
oom:
    ef_seterr(errstr, errsize, "out of memory");
fail:
    cJSON_Delete(doc);
    return NULL;
}

int ef_spec_doc_load(ef_run_spec *s, const char *doc, size_t len, char *errstr, size_t errsize) {
    if (len > EF_SPEC_DOC_MAX) {
        ef_seterr(errstr, errsize, "stored spec: larger than %u bytes", EF_SPEC_DOC_MAX);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(doc, len);
    int rc = -1;
    char err[600];
    if (!cJSON_IsObject(root)) {
        ef_seterr(errstr, errsize, "stored spec: not a JSON object");
        goto out;
    }
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(root, "spec_path");
    const cJSON *yaml = cJSON_GetObjectItemCaseSensitive(root, "yaml");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(root, "args");
    if (cJSON_IsString(yaml) && cJSON_IsString(path) &&
        ef_run_spec_load_text(s, path->valuestring, yaml->valuestring, strlen(yaml->valuestring),
                              errstr, errsize))
        goto out;
    const cJSON *pair;
    cJSON_ArrayForEach(pair, args) {
        const cJSON *n = cJSON_GetArrayItem(pair, 0), *v = cJSON_GetArrayItem(pair, 1);
        const ef_option *o = cJSON_IsString(n) ? ef_option_find(n->valuestring) : NULL;
        if (!o || o->type == EF_OPT_SPEC || !cJSON_IsString(v)) {
            ef_seterr(errstr, errsize, "stored spec: bad setting %s",
                      cJSON_IsString(n) ? n->valuestring : "(not a string)");
            goto out;
        }
        if (per_process(o))
            continue;
        if (ef_option_apply(s, o, v->valuestring, err, sizeof(err))) {
            ef_seterr(errstr, errsize, "stored spec: %s", err);
            goto out;
        }
    }
    rc = ef_run_spec_validate(s, errstr, errsize);
out:
    cJSON_Delete(root);
    return rc;
}
