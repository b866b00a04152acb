/* Unit tests of the generated model tables (src/model/vod_model_data.c) and
 * their lookups (src/model/vod_model.c): the union of the API's two editions
 * (the Chinese site's 231 actions, the international site's 223). No Lua
 * here. Prints one line per failed check and "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "vod_model.h"

#include "check.h"

static const vod_maction *action(const char *name) { return vod_model_action(name, strlen(name)); }
static const vod_maction *method(const char *name) { return vod_model_action_by_method(name, strlen(name)); }

static const vod_mfield *field(const vod_mstruct *s, const char *name)
{
    return vod_model_field(s, name, strlen(name));
}

static const vod_mstruct *input_of(const char *action_name)
{
    const vod_maction *a = action(action_name);
    return a ? vod_maction_input(a) : NULL;
}

static int in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static void test_sizes(void)
{
    CHECK(vod_model_nactions == 237, "237 actions (the union of 231 and 223)");
    CHECK(vod_model_nstructs == 558, "558 request-side structures");
    CHECK(vod_model_nfields == 2573, "2573 fields");
    CHECK(vod_model_strings_size > 0 && vod_model_strings[vod_model_strings_size - 1] == '\0',
          "the string pool ends with a NUL");
}

static void test_sorted(void)
{
    int ok = 1;
    for (size_t i = 1; i < vod_model_nactions; i++)
        ok &= strcmp(vod_maction_name(&vod_model_actions[i - 1]),
                     vod_maction_name(&vod_model_actions[i])) < 0;
    CHECK(ok, "actions in strictly increasing strcmp order of name");
    ok = 1;
    for (size_t i = 1; i < vod_model_nactions; i++)
        ok &= strcmp(vod_maction_method(&vod_model_actions[vod_model_by_method[i - 1]]),
                     vod_maction_method(&vod_model_actions[vod_model_by_method[i]])) < 0;
    CHECK(ok, "the method index in strictly increasing strcmp order of method");
    ok = 1;
    for (size_t i = 1; i < vod_model_nstructs; i++)
        ok &= strcmp(vod_mstruct_name(&vod_model_structs[i - 1]),
                     vod_mstruct_name(&vod_model_structs[i])) < 0;
    CHECK(ok, "structures in strictly increasing strcmp order of name");

    ok = 1;
    {
        size_t covered = 0;
        for (size_t i = 0; i < vod_model_nstructs; i++) {
            const vod_mstruct *s = &vod_model_structs[i];
            unsigned seen[256] = { 0 };
            size_t req = 0;
            if (s->first != covered || s->count > 255) {
                ok = 0;
                printf("  structure %s: fields not contiguous\n", vod_mstruct_name(s));
            }
            covered = (size_t)s->first + s->count;
            for (size_t j = 0; j < s->count; j++) {
                const vod_mfield *f = &vod_model_fields[s->first + j];
                if (j > 0 && strcmp(vod_mfield_name(f - 1), vod_mfield_name(f)) >= 0) {
                    ok = 0;
                    printf("  structure %s: %s not after %s\n", vod_mstruct_name(s),
                           vod_mfield_name(f), vod_mfield_name(f - 1));
                }
                if (f->order >= s->count || seen[f->order]++) {
                    ok = 0;
                    printf("  structure %s: bad order %u\n", vod_mstruct_name(s), f->order);
                }
                if (f->type < VOD_MT_INT || f->type > VOD_MT_OBJECT ||
                    (f->type == VOD_MT_OBJECT && f->ref >= vod_model_nstructs) ||
                    (f->flags & ~(VOD_MF_REQUIRED | VOD_MF_DISABLED | VOD_MF_LIST)) != 0 ||
                    f->editions == 0 || (f->editions & ~VOD_ED_ALL) != 0) {
                    ok = 0;
                    printf("  structure %s: bad field %s\n", vod_mstruct_name(s), vod_mfield_name(f));
                }
                req += (f->flags & VOD_MF_REQUIRED) != 0;
            }
            if (req != s->nrequired) {
                ok = 0;
                printf("  structure %s: nrequired %u, counted %zu\n", vod_mstruct_name(s),
                       s->nrequired, req);
            }
        }
        ok &= covered == vod_model_nfields;
    }
    CHECK(ok, "every structure's fields: contiguous, strictly sorted, valid, orders a permutation");
}

static void test_actions(void)
{
    int ok = 1;
    const vod_maction *a;
    for (size_t i = 0; i < vod_model_nactions; i++) {
        const vod_maction *x = &vod_model_actions[i];
        const char *n = vod_maction_name(x), *m = vod_maction_method(x);
        char with_request[128];
        if (action(n) != x || method(m) != x || x->input >= vod_model_nstructs ||
            x->kind > VOD_MA_CREATE || x->editions == 0 || (x->editions & ~VOD_ED_ALL) != 0) {
            ok = 0;
            printf("  %s / %s does not round-trip\n", n, m);
        }
        /* the request structure is the action's name + "Request" */
        snprintf(with_request, sizeof with_request, "%sRequest", n);
        if (strcmp(vod_mstruct_name(vod_maction_input(x)), with_request) != 0) {
            ok = 0;
            printf("  %s takes %s\n", n, vod_mstruct_name(vod_maction_input(x)));
        }
    }
    CHECK(ok, "all 237 actions round-trip by name and by method, each in an edition");

    a = action("CreateAigcVideoTask");
    CHECK(a && strcmp(vod_maction_method(a), "create_aigc_video_task") == 0,
          "CreateAigcVideoTask -> create_aigc_video_task");
    a = method("describe_cdn_usage_data");
    CHECK(a && strcmp(vod_maction_name(a), "DescribeCDNUsageData") == 0,
          "describe_cdn_usage_data -> DescribeCDNUsageData");
    a = method("process_media_by_mps");
    CHECK(a && strcmp(vod_maction_name(a), "ProcessMediaByMPS") == 0,
          "process_media_by_mps -> ProcessMediaByMPS");
    a = method("create_ai_analysis_template");
    CHECK(a && strcmp(vod_maction_name(a), "CreateAIAnalysisTemplate") == 0,
          "create_ai_analysis_template -> CreateAIAnalysisTemplate");
    CHECK(action("ApplyUpload") == &vod_model_actions[0], "the first action");
    CHECK(action("WeChatMiniProgramPublish") == &vod_model_actions[vod_model_nactions - 1],
          "the last action");

    CHECK(action("createAigcSubject") == NULL, "names are case-sensitive");
    CHECK(action("CreateAigcSubjec") == NULL, "a prefix is not a name");
    CHECK(action("CreateAigcSubjectX") == NULL, "a longer name is not a name");
    CHECK(action("") == NULL, "the empty name");
    CHECK(vod_model_action("CreateAigcSubject\0X", 19) == NULL, "a name with a NUL byte");
    CHECK(vod_model_action("CreateAigcSubjectX", 17) == action("CreateAigcSubject"),
          "the length counts, not the NUL");
    CHECK(method("CreateAigcSubject") == NULL, "the API name is not a method");
    CHECK(method("create_aigc_subject") == action("CreateAigcSubject"), "create_aigc_subject");
    CHECK(vod_model_action_by_method("pull_events\0", 12) == NULL, "a method with a NUL byte");
}

static void test_kinds(void)
{
    static const struct { const char *name; int kind; } cases[] = {
        { "CreateAigcSubject", VOD_MA_CREATE },
        { "CreateAigcVideoTask", VOD_MA_CREATE },
        { "DescribeTaskDetail", VOD_MA_QUERY },
        { "DescribeCDNUsageData", VOD_MA_QUERY },
        { "SearchMedia", VOD_MA_QUERY },
        { "PullEvents", VOD_MA_QUERY },
        { "PullUpload", VOD_MA_CREATE },
        { "DescribeFileAttributes", VOD_MA_CREATE },
        { "DescribeAigcFaceInfoAsync", VOD_MA_CREATE },
        { "InspectMediaQuality", VOD_MA_CREATE },
        { "ModifyEventConfig", VOD_MA_OTHER },
        { "ConfirmEvents", VOD_MA_OTHER },
        { "CreateAigcAudioTask", VOD_MA_OTHER },    /* no SessionId in its request */
    };
    size_t counts[3] = { 0, 0, 0 };
    int ok = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vod_maction *a = action(cases[i].name);
        char what[96];
        snprintf(what, sizeof what, "kind of %s", cases[i].name);
        CHECK(a && a->kind == cases[i].kind, what);
    }
    for (size_t i = 0; i < vod_model_nactions; i++) {
        const vod_maction *a = &vod_model_actions[i];
        int has_session = field(vod_maction_input(a), "SessionId") != NULL;
        counts[a->kind]++;
        ok &= has_session == (a->kind == VOD_MA_CREATE);
    }
    CHECK(ok, "CREATE exactly when the request has a SessionId");
    CHECK(counts[VOD_MA_QUERY] == 67 && counts[VOD_MA_CREATE] == 30 && counts[VOD_MA_OTHER] == 140,
          "67 queries, 30 creates, 140 others");
}

static void test_fields(void)
{
    const vod_mstruct *s = input_of("CreateAigcVideoTask"), *sub;
    const vod_mfield *f;
    CHECK(s != NULL && strcmp(vod_mstruct_name(s), "CreateAigcVideoTaskRequest") == 0,
          "CreateAigcVideoTaskRequest");
    if (s == NULL)
        return;
    CHECK(s->count == 19 && s->nrequired == 3, "19 members, 3 required");
    f = field(s, "SubAppId");
    CHECK(f && f->type == VOD_MT_UINT && f->flags == VOD_MF_REQUIRED && f->order == 0,
          "SubAppId: uint64, required, first");
    f = field(s, "Seed");
    CHECK(f && f->type == VOD_MT_INT && f->flags == 0, "Seed: int64");
    f = field(s, "ModelVersion");
    CHECK(f && f->type == VOD_MT_STRING && (f->flags & VOD_MF_REQUIRED) && f->order == 2,
          "ModelVersion: string, required, third");
    f = field(s, "SubjectInfos");
    CHECK(f && f->type == VOD_MT_OBJECT && f->flags == VOD_MF_LIST, "SubjectInfos: a list of objects");
    sub = f ? vod_mfield_struct(f) : NULL;
    CHECK(sub && strcmp(vod_mstruct_name(sub), "AigcVideoTaskInputSubjectInfo") == 0,
          "SubjectInfos: AigcVideoTaskInputSubjectInfo");
    CHECK(sub && vod_model_struct("AigcVideoTaskInputSubjectInfo", 29) == sub, "structure by name");
    if (sub) {
        CHECK(sub->count == 5 && sub->nrequired == 0, "SubjectInfo: 5 members");
        f = field(sub, "ImageUrls");
        CHECK(f && f->type == VOD_MT_STRING && f->flags == VOD_MF_LIST, "ImageUrls: list of string");
        CHECK(field(sub, "Nmae") == NULL, "no Nmae");
        CHECK(field(sub, "name") == NULL, "member names are case-sensitive");
    }
    f = field(s, "OutputConfig");
    CHECK(f && f->type == VOD_MT_OBJECT && f->flags == 0 &&
          strcmp(vod_mstruct_name(vod_mfield_struct(f)), "AigcVideoOutputConfig") == 0,
          "OutputConfig: an AigcVideoOutputConfig");
    CHECK(field(s, "") == NULL && field(s, "SubAppIdX") == NULL && field(s, "SubAppI") == NULL,
          "near names are not members");
    CHECK(vod_model_field(s, "SubAppId\0", 9) == NULL, "a member name with a NUL byte");

    s = input_of("DescribeTaskDetail");
    CHECK(s && s->count == 2 && s->nrequired == 1, "DescribeTaskDetail: TaskId, SubAppId");
    f = s ? field(s, "TaskId") : NULL;
    CHECK(f && f->type == VOD_MT_STRING && f->flags == VOD_MF_REQUIRED, "TaskId: required string");

    s = input_of("CreateAigcSubject");
    f = s ? field(s, "SubjectImages") : NULL;
    CHECK(f && f->type == VOD_MT_STRING && f->flags == VOD_MF_LIST, "SubjectImages: list of string");

    /* deprecated members, a list of integers, a datetime */
    s = input_of("CreateProcedureTemplate");
    f = s ? field(s, "AiRecognitionTask") : NULL;
    CHECK(f && f->type == VOD_MT_OBJECT && f->flags == VOD_MF_DISABLED,
          "CreateProcedureTemplate.AiRecognitionTask: deprecated");
    s = input_of("DescribeRoundPlays");
    f = s ? field(s, "Offset") : NULL;
    CHECK(f && f->type == VOD_MT_INT && f->flags == VOD_MF_DISABLED, "DescribeRoundPlays.Offset: deprecated");
    s = input_of("SearchMedia");
    f = s ? field(s, "Categories") : NULL;
    CHECK(f && f->type == VOD_MT_STRING && (f->flags & VOD_MF_LIST), "SearchMedia.Categories: list of string");
    f = s ? field(s, "ClassIds") : NULL;
    CHECK(f && f->type == VOD_MT_INT && (f->flags & VOD_MF_LIST), "SearchMedia.ClassIds: list of int64");
    f = s ? field(s, "CreateTime") : NULL;
    CHECK(f && f->type == VOD_MT_OBJECT, "SearchMedia.CreateTime: a TimeRange");
    {
        const vod_mstruct *tr = vod_model_struct("TimeRange", 9);
        f = tr ? field(tr, "After") : NULL;
        CHECK(f && f->type == VOD_MT_STRING, "TimeRange.After: a datetime_iso string");
    }
    {
        size_t floats = 0, bools = 0;
        for (size_t i = 0; i < vod_model_nfields; i++) {
            floats += vod_model_fields[i].type == VOD_MT_FLOAT;
            bools += vod_model_fields[i].type == VOD_MT_BOOL;
        }
        /* the models' few booleans are on the response side, but for one of the
         * international edition's CDN structures */
        CHECK(floats == 77 && bools == 1, "77 floats, one boolean on the request side");
        f = vod_model_struct("RefererRule", 11) ? field(vod_model_struct("RefererRule", 11), "AllowEmpty")
                                                 : NULL;
        CHECK(f && f->type == VOD_MT_BOOL && f->flags == VOD_MF_REQUIRED && f->editions == VOD_ED_INTL,
              "RefererRule.AllowEmpty: a required boolean, international only");
    }
    CHECK(vod_model_struct("DescribeTaskDetailResponse", 26) == NULL, "no response structures");
    CHECK(vod_model_struct("AigcVideoTask", 13) == NULL, "no response-only structures");
}

static void test_tasks(void)
{
    size_t n = 0;
    int ok = 1;
    CHECK(in_list(vod_model_task_fields, "AigcVideoTask"), "task fields: AigcVideoTask");
    CHECK(in_list(vod_model_task_fields, "CreateAigcSubjectTask"), "task fields: CreateAigcSubjectTask");
    CHECK(in_list(vod_model_task_fields, "ProcedureTask"), "task fields: ProcedureTask");
    CHECK(vod_model_task_fields[0] && strcmp(vod_model_task_fields[0], "ProcedureTask") == 0,
          "task fields in the model's order");
    CHECK(!in_list(vod_model_task_fields, "TaskType") && !in_list(vod_model_task_fields, "RequestId"),
          "task fields: only the object members");
    while (vod_model_task_fields[n])
        n++;
    CHECK(n == 37, "37 task fields");
    CHECK(in_list(vod_model_task_progress, "AigcVideoTask"), "progress: AigcVideoTask");
    CHECK(!in_list(vod_model_task_progress, "CreateAigcSubjectTask"), "progress: not CreateAigcSubjectTask");
    CHECK(!in_list(vod_model_task_progress, "ProcedureTask"), "progress: not ProcedureTask");
    for (size_t i = 0; vod_model_task_progress[i]; i++)
        ok &= in_list(vod_model_task_fields, vod_model_task_progress[i]);
    CHECK(ok, "progress fields are task fields");
}

static void test_editions(void)
{
    static const struct { const char *name; unsigned editions; } cases[] = {
        { "CreateAigcSubject", VOD_ED_ALL },
        { "DescribeTaskDetail", VOD_ED_ALL },
        { "ProcessImage", VOD_ED_CHINA },
        { "WeChatMiniProgramPublish", VOD_ED_CHINA },
        { "CreateKnowledgeBase", VOD_ED_CHINA },
        { "CreateCDNDomain", VOD_ED_INTL },
        { "CloneCDNDomain", VOD_ED_INTL },
        { "DescribeCDNDomains", VOD_ED_INTL },
    };
    size_t n[4] = { 0, 0, 0, 0 }, china_fields = 0, intl_fields = 0;
    const vod_mstruct *s;
    const vod_mfield *f;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vod_maction *a = action(cases[i].name);
        char what[96];
        snprintf(what, sizeof what, "editions of %s", cases[i].name);
        CHECK(a && a->editions == cases[i].editions, what);
    }
    for (size_t i = 0; i < vod_model_nactions; i++)
        n[vod_model_actions[i].editions & 3]++;
    CHECK(n[VOD_ED_ALL] == 217 && n[VOD_ED_CHINA] == 14 && n[VOD_ED_INTL] == 6,
          "217 actions in both editions, 14 in the Chinese one only, 6 in the international one only");
    CHECK(n[VOD_ED_ALL] + n[VOD_ED_CHINA] == 231 && n[VOD_ED_ALL] + n[VOD_ED_INTL] == 223,
          "231 actions in the Chinese edition, 223 in the international one");

    /* a member one edition lacks, in a structure both have: in the union, optional */
    s = input_of("SearchMedia");
    f = s ? field(s, "KnowledgeBases") : NULL;
    CHECK(f && f->editions == VOD_ED_CHINA && f->flags == VOD_MF_LIST && f->type == VOD_MT_STRING,
          "SearchMedia.KnowledgeBases: Chinese edition only, a list of string");
    f = s ? field(s, "Text") : NULL;
    CHECK(f && f->editions == VOD_ED_ALL, "SearchMedia.Text: both editions");
    s = vod_model_struct("MPSRawSmartSubtitleParameter", 28);
    f = s ? field(s, "SelectingSubtitleAreasConfig") : NULL;
    CHECK(f && f->editions == VOD_ED_CHINA && f->type == VOD_MT_OBJECT,
          "MPSRawSmartSubtitleParameter.SelectingSubtitleAreasConfig: Chinese edition only");
    /* a structure only one edition has: its members are that edition's */
    s = input_of("CreateCDNDomain");
    f = s ? field(s, "Domain") : NULL;
    CHECK(f && f->editions == VOD_ED_INTL && (f->flags & VOD_MF_REQUIRED), "CreateCDNDomain.Domain");
    for (size_t i = 0; i < vod_model_nfields; i++) {
        china_fields += vod_model_fields[i].editions == VOD_ED_CHINA;
        intl_fields += vod_model_fields[i].editions == VOD_ED_INTL;
    }
    /* the Chinese edition's 14 actions and 23 members of shared structures; the
     * international edition's 6 CDN actions */
    CHECK(china_fields == 131 && intl_fields == 182,
          "131 request-side members only the Chinese edition has, 182 only the international");

    CHECK(strcmp(vod_model_edition_name(0), "china") == 0 && strcmp(vod_model_edition_name(1), "intl") == 0,
          "editions by bit: china, intl");
    CHECK(strcmp(vod_model_explorer_prefix(0),
                 "https://console.cloud.tencent.com/api/explorer?Product=vod&Version=2018-07-17&Action=") == 0,
          "the Chinese console's API Explorer");
    CHECK(strcmp(vod_model_explorer_prefix(1),
                 "https://console.tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17&Action=") == 0,
          "the international console's API Explorer");
}

int main(void)
{
    test_sizes();
    test_sorted();
    test_actions();
    test_kinds();
    test_fields();
    test_tasks();
    test_editions();
    return check_report();
}
