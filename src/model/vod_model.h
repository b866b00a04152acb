/* The API model's request side as plain C tables: every action, the request
 * structure it takes, and every structure reachable from those, with each
 * member's name, JSON type, list-ness and required / deprecated flags, and
 * the editions of the API (the Chinese site's, the international site's)
 * that have each action and each member.
 *
 * The tables are generated (vod_model_data.c, by tools/gen_model.py from the
 * union of model/vod-2018-07-17.model.json, the Chinese edition's model, and
 * model/vod-2018-07-17.intl.model.json, the international edition's: a member
 * is required only when every edition that has its structure requires it);
 * the lookups are in vod_model.c. No Lua,
 * no I/O, no allocation. The tables hold no pointers but offsets into one
 * string pool, so they are read-only data that needs no relocation when the
 * module is loaded; read names through the accessors below. */
#ifndef VOD_MODEL_H
#define VOD_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* A member's JSON type (of each item, for a list). */
typedef enum vod_mtype {
    VOD_MT_INT = 1,     /* int64: an integer in [-2^53, 2^53] */
    VOD_MT_UINT,        /* uint64: an integer in [0, 2^53] */
    VOD_MT_FLOAT,       /* any number */
    VOD_MT_STRING,      /* UTF-8 text (datetime_iso strings too) */
    VOD_MT_BOOL,
    VOD_MT_OBJECT       /* a structure: vod_model_structs[ref] */
} vod_mtype;

#define VOD_MF_REQUIRED 1u  /* must be given in a request */
#define VOD_MF_DISABLED 2u  /* deprecated by the API, still accepted */
#define VOD_MF_LIST     4u  /* a list whose items are `type` */

/* The editions of the API, as bits of an editions mask; bit i is edition i
 * of vod_model_edition_names (the words of vod.new's `site` option). */
#define VOD_ED_CHINA    1u  /* "china": the Chinese site, vod.tencentcloudapi.com */
#define VOD_ED_INTL     2u  /* "intl": the international site, vod.intl.tencentcloudapi.com */
#define VOD_ED_ALL      3u
#define VOD_NEDITIONS   2

typedef struct vod_mfield {
    uint32_t name;      /* offset in vod_model_strings */
    uint8_t type;       /* vod_mtype */
    uint8_t flags;      /* VOD_MF_* */
    uint16_t ref;       /* VOD_MT_OBJECT: index in vod_model_structs */
    uint16_t order;     /* position among its structure's members in the model */
    uint8_t editions;   /* VOD_ED_*: the editions whose structure has this member */
} vod_mfield;

typedef struct vod_mstruct {
    uint32_t name;      /* offset in vod_model_strings */
    uint16_t first;     /* its fields: vod_model_fields[first, first + count), */
    uint16_t count;     /*   in strcmp order of name */
    uint16_t nrequired; /* how many of them are VOD_MF_REQUIRED */
} vod_mstruct;

typedef enum vod_makind {
    VOD_MA_OTHER = 0,
    VOD_MA_QUERY,       /* Describe*, Search*, PullEvents (without a SessionId) */
    VOD_MA_CREATE       /* the request has a SessionId: an idempotency key */
} vod_makind;

typedef struct vod_maction {
    uint32_t name;      /* offset in vod_model_strings: "CreateAigcVideoTask" */
    uint32_t method;    /* offset in vod_model_strings: "create_aigc_video_task" */
    uint16_t input;     /* index in vod_model_structs of its request structure */
    uint8_t kind;       /* vod_makind */
    uint8_t editions;   /* VOD_ED_*: the editions that have the action */
} vod_maction;

/* The generated tables (vod_model_data.c). */
extern const char vod_model_strings[];
extern const size_t vod_model_strings_size;
extern const vod_mfield vod_model_fields[];
extern const vod_mstruct vod_model_structs[];     /* in strcmp order of name */
extern const vod_maction vod_model_actions[];     /* in strcmp order of name */
extern const uint16_t vod_model_by_method[];      /* action indices, in strcmp order of method */
extern const size_t vod_model_nactions, vod_model_nstructs, vod_model_nfields;
/* DescribeTaskDetailResponse's members that hold a task (ProcedureTask, ...,
 * AigcVideoTask, CreateAigcSubjectTask, ...), in the model's order, NULL-ended. */
extern const char *const vod_model_task_fields[];
/* The subset of those whose task structure has an integer Progress, NULL-ended. */
extern const char *const vod_model_task_progress[];
/* By edition (bit i of VOD_ED_*): offsets in vod_model_strings of its name
 * ("china", "intl") and of the address of its console's API Explorer up to
 * the action's name ("https://console.tencentcloud.com/api/explorer?Product=
 * vod&Version=2018-07-17&Action="), to which the action's name is appended. */
extern const uint32_t vod_model_edition_names[VOD_NEDITIONS];
extern const uint32_t vod_model_explorer[VOD_NEDITIONS];

static inline const char *vod_mfield_name(const vod_mfield *f)
{
    return vod_model_strings + f->name;
}

static inline const char *vod_mstruct_name(const vod_mstruct *s)
{
    return vod_model_strings + s->name;
}

static inline const char *vod_maction_name(const vod_maction *a)
{
    return vod_model_strings + a->name;
}

static inline const char *vod_maction_method(const vod_maction *a)
{
    return vod_model_strings + a->method;
}

static inline const char *vod_model_edition_name(int i)     /* 0 <= i < VOD_NEDITIONS */
{
    return vod_model_strings + vod_model_edition_names[i];
}

static inline const char *vod_model_explorer_prefix(int i)  /* 0 <= i < VOD_NEDITIONS */
{
    return vod_model_strings + vod_model_explorer[i];
}

/* The structure of an object-typed field (VOD_MT_OBJECT), or of an action's request. */
static inline const vod_mstruct *vod_mfield_struct(const vod_mfield *f)
{
    return &vod_model_structs[f->ref];
}

static inline const vod_mstruct *vod_maction_input(const vod_maction *a)
{
    return &vod_model_structs[a->input];
}

/* Lookups by binary search. name need not be NUL-terminated (a Lua string
 * may hold NUL bytes: such a name matches nothing). NULL when absent. */
const vod_maction *vod_model_action(const char *name, size_t len);           /* "CreateAigcVideoTask" */
const vod_maction *vod_model_action_by_method(const char *name, size_t len); /* "create_aigc_video_task" */
const vod_mstruct *vod_model_struct(const char *name, size_t len);           /* "AigcVideoOutputConfig" */
const vod_mfield *vod_model_field(const vod_mstruct *s, const char *name, size_t len);

#endif
