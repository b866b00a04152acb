/* Per-action parameter rules, as plain C data (no Lua, no I/O).
 * The checker in check.c applies them to a Lua table before anything is
 * encoded or sent. Names are the API's own. */
#ifndef VOD_RULES_H
#define VOD_RULES_H

#include <stddef.h>

typedef enum vod_ptype {
    VOD_P_INTEGER,      /* integral number within [min, max] */
    VOD_P_STRING,       /* UTF-8 string, at most max_chars characters (0: no limit) */
    VOD_P_STRING_LIST   /* array of min_items..max_items strings, each as VOD_P_STRING */
} vod_ptype;

typedef struct vod_param_rule {
    const char *name;
    vod_ptype type;
    int required;
    long long min, max;         /* VOD_P_INTEGER */
    size_t max_chars;           /* VOD_P_STRING and list items */
    int nonempty;               /* strings (or items) must not be "" */
    size_t min_items, max_items;/* VOD_P_STRING_LIST */
} vod_param_rule;

typedef struct vod_action_rules {
    const char *action;                 /* e.g. "CreateAigcSubject" */
    const vod_param_rule *params;
    size_t nparams;
    const char *one_of[3];              /* at least one of these present (NULL-ended) */
} vod_action_rules;

extern const vod_action_rules vod_rules_create_aigc_subject;
extern const vod_action_rules vod_rules_describe_task_detail;

#endif
