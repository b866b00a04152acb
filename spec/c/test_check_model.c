/* Unit tests of the deep parameter check (src/binding/check/check_model.c) against
 * the model's tables: each rule with its exact message and param, at depth
 * 1, 2 and 3. The parameter tables are written in Lua (the same text runs on
 * Lua 5.4 and LuaJIT); `null` is vod.null (a NULL light userdata). Prints one
 * line per failed check and "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "check_model.h"
#include "vod_model.h"

#include "check.h"  /* spec/c/check.h: CHECK */

static lua_State *L;

/* Evaluates "return <expr>" and checks its value against action's request
 * structure. Returns vod_check_model's result; -2 when the Lua text is bad or
 * the stack changed. */
static int run(const char *action, const char *expr, vod_check_error *e)
{
    const vod_maction *a = vod_model_action(action, strlen(action));
    char src[4096];
    int top, rc;
    if (a == NULL) {
        printf("  no action %s\n", action);
        return -2;
    }
    snprintf(src, sizeof src, "return %s", expr);
    if (luaL_loadstring(L, src) != 0 || lua_pcall(L, 0, 1, 0) != 0) {
        printf("  Lua: %s\n", lua_tostring(L, -1));
        lua_settop(L, 0);
        return -2;
    }
    lua_pushinteger(L, 7);                  /* something above the table: idx -2 */
    top = lua_gettop(L);
    memset(e, 0x5a, sizeof *e);
    rc = vod_check_model(L, -2, vod_maction_input(a), e);
    if (lua_gettop(L) != top) {
        printf("  the stack changed: %d -> %d\n", top, lua_gettop(L));
        rc = -2;
    }
    lua_settop(L, 0);
    if (rc == -1 && (memchr(e->param, '\0', sizeof e->param) == NULL ||
                     memchr(e->message, '\0', sizeof e->message) == NULL)) {
        printf("  param or message not NUL-terminated\n");
        rc = -2;
    }
    return rc;
}

static void accepts(const char *action, const char *expr, const char *what)
{
    vod_check_error e;
    int rc = run(action, expr, &e);
    if (rc == -1)
        printf("  refused: [%s] %s\n", e.param, e.message);
    CHECK(rc == 0, what);
}

static void refuses(const char *action, const char *expr, const char *param, const char *message)
{
    vod_check_error e;
    int rc = run(action, expr, &e);
    int ok = rc == -1 && strcmp(e.param, param) == 0 && strcmp(e.message, message) == 0;
    if (!ok) {
        if (rc == -1)
            printf("  got      [%s] %s\n", e.param, e.message);
        else
            printf("  rc %d\n", rc);
        printf("  expected [%s] %s\n", param, message);
    }
    CHECK(ok, message);
}

#define V "CreateAigcVideoTask"
/* the required members of CreateAigcVideoTask, before any others */
#define REQ "SubAppId = 221073, ModelName = 'Vidu', ModelVersion = 'q2', "
#define PM "ProcessMedia"
#define MPS "ProcessMediaByMPS"

static void test_valid(void)
{
    accepts(V, "{" REQ "}", "the required members alone");
    accepts(V, "{" REQ "Prompt = '[@hero] waves', SubjectInfos = { { Id = 's-1', Name = 'hero', "
               "ImageUrls = { 'https://example.com/a.png' } }, { Name = 'villain', VideoUrls = "
               "{ 'https://example.com/v.mp4' } } }, OutputConfig = { Duration = 5, Resolution = "
               "'1080P', ClassId = 0 }, Seed = -5, TasksPriority = 10, SessionId = 'abc' }",
            "a full request with 2 SubjectInfos");
    accepts(V, "{" REQ "OutputConfig = { Duration = 4.5 } }", "a float takes a fraction");
    accepts(V, "{" REQ "OutputConfig = { Duration = 4 } }", "a float takes an integer");
    accepts(V, "{ SubAppId = 3.0, ModelName = 'Vidu', ModelVersion = 'q2' }",
            "an integral float is an integer");
    accepts(V, "{ SubAppId = 2^53, ModelName = 'Vidu', ModelVersion = 'q2', Seed = -2^53 }",
            "the bounds +-2^53");
    accepts(V, "{ SubAppId = 0, ModelName = '', ModelVersion = '\\228\\184\\187' }",
            "0, an empty string, non-ASCII");
    accepts("DescribeTaskDetail", "{ TaskId = 't' }", "DescribeTaskDetail");
    accepts("PullEvents", "{}", "no parameters at all");
    accepts(PM, "{ FileId = 'f', MediaProcessTask = { TranscodeTaskSet = { { Definition = 10, "
                "WatermarkSet = { { Definition = 1, StartTimeOffset = 0.5 }, { Definition = 2 } }, "
                "HeadTailSet = { { Definition = -1 } } } }, SnapshotByTimeOffsetTaskSet = { "
                "{ Definition = 10, TimeOffsetSet = { 1, 2.5 }, ExtTimeOffsetSet = { '1s' } } } } }",
            "depth 3: lists of objects in lists of objects");
}

static void test_null_and_empty(void)
{
    accepts(V, "{ SubAppId = null, ModelName = null, ModelVersion = null }",
            "vod.null counts as given for a required member");
    accepts(V, "{" REQ "OutputConfig = null, SubjectInfos = null, Seed = null, Prompt = null }",
            "vod.null for an object, a list, an integer, a string");
    accepts(V, "{" REQ "SubjectInfos = { { Name = null, ImageUrls = null } } }", "vod.null at depth 2");
    accepts(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = null, "
                "TraceWatermark = null } } } }", "vod.null at depth 3");
    accepts(V, "{" REQ "SubjectInfos = {}, FileInfos = {}, OutputConfig = {} }",
            "empty tables for lists and an object without required members");
    accepts(V, "{" REQ "SubjectInfos = { {} } }", "an empty object as an item");
    accepts(PM, "{ MediaProcessTask = {} }", "an empty object at depth 2");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { {} } } }",
            "MediaProcessTask.TranscodeTaskSet[1].Definition",
            "MediaProcessTask.TranscodeTaskSet[1].Definition is required");
    refuses(V, "{" REQ "SubjectInfos = { null } }", "SubjectInfos[1]",
            "SubjectInfos[1] must be a table (an object with members Id, Name, VoiceId, ImageUrls, "
            "...), got vod.null");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = { 'a', null } } } }",
            "SubjectInfos[1].ImageUrls[2]", "SubjectInfos[1].ImageUrls[2] must be a string, got vod.null");
}

static void test_disabled(void)
{
    accepts(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, TraceWatermark = "
                "{ Switch = 'ON', Definition = 5 } } } } }", "a deprecated member at depth 3");
    accepts("CreateProcedureTemplate", "{ Name = 'p', AiRecognitionTask = { Definition = 10 } }",
            "a deprecated object member");
    accepts("DescribeRoundPlays", "{ Offset = 0 }", "a deprecated integer at the top");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, TraceWatermark = "
                "{ Definition = -5 } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Definition",
            "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Definition must be between 0 and 2^53 "
            "(larger integers do not survive JSON exactly), got -5");
}

static void test_unknown(void)
{
    refuses("CreateAigcSubject", "{ SubjectImage = { 'a' } }", "SubjectImage",
            "unknown parameter 'SubjectImage' (did you mean 'SubjectImages'?)");
    refuses("CreateAigcSubject", "{ subappid = 1 }", "subappid",
            "unknown parameter 'subappid' (did you mean 'SubAppId'?)");
    refuses("CreateAigcSubject", "{ Colour = 'red' }", "Colour",
            "unknown parameter 'Colour' for CreateAigcSubject");
    refuses(V, "{" REQ "Colour = 'red' }", "Colour", "unknown parameter 'Colour' for CreateAigcVideoTask");
    refuses(V, "{" REQ "SubjectInfos = { { Name = 'a' }, { Nmae = 'b' } } }", "SubjectInfos[2].Nmae",
            "unknown parameter 'SubjectInfos[2].Nmae' (did you mean 'Name'?)");
    refuses(V, "{" REQ "SubjectInfos = { { Colour = 'red' } } }", "SubjectInfos[1].Colour",
            "unknown parameter 'SubjectInfos[1].Colour' (AigcVideoTaskInputSubjectInfo has no such member)");
    refuses(V, "{" REQ "OutputConfig = { Durations = 5 } }", "OutputConfig.Durations",
            "unknown parameter 'OutputConfig.Durations' (did you mean 'Duration'?)");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, WatermarkSet = "
                "{ { Definition = 1, TextContnet = 'x' } } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].TextContnet",
            "unknown parameter 'MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].TextContnet' "
            "(did you mean 'TextContent'?)");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, TraceWatermark = "
                "{ Colour = 1 } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Colour",
            "unknown parameter 'MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Colour' "
            "(TraceWatermarkInput has no such member)");
    /* a key of 70 bytes is shown clipped to 60 */
#define X10 "xxxxxxxxxx"
    refuses("CreateAigcSubject", "{ [string.rep('x', 70)] = 1 }", X10 X10 X10 X10 X10 X10,
            "unknown parameter '" X10 X10 X10 X10 X10 X10 "' for CreateAigcSubject");
    /* control bytes (NUL included) are shown escaped */
    refuses("CreateAigcSubject", "{ ['Sub\\0AppId'] = 1 }", "Sub\\x00AppId",
            "unknown parameter 'Sub\\x00AppId' (did you mean 'SubAppId'?)");
    refuses(V, "{" REQ "SubjectInfos = { { ['Na\\nme'] = 1 } } }", "SubjectInfos[1].Na\\x0ame",
            "unknown parameter 'SubjectInfos[1].Na\\x0ame' (did you mean 'Name'?)");
}

static void test_keys(void)
{
    refuses("CreateAigcSubject", "{ 'x' }", "1",
            "parameter names must be strings, got key 1 (an array was given where a table of "
            "named parameters is expected?)");
    refuses("CreateAigcSubject", "{ [true] = 1 }", "boolean",
            "parameter names must be strings, got key boolean (an array was given where a table of "
            "named parameters is expected?)");
    refuses(V, "{" REQ "OutputConfig = { 'x' } }", "OutputConfig",
            "parameter names must be strings, got key 1 in OutputConfig (an array was given where a "
            "table of named members is expected?)");
    refuses(V, "{" REQ "SubjectInfos = { { Name = 'a', [2.5] = 1 } } }", "SubjectInfos[1]",
            "parameter names must be strings, got key 2.5 in SubjectInfos[1] (an array was given "
            "where a table of named members is expected?)");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, TraceWatermark = "
                "{ 'ON' } } } } }", "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark",
            "parameter names must be strings, got key 1 in MediaProcessTask.TranscodeTaskSet[1]."
            "TraceWatermark (an array was given where a table of named members is expected?)");
}

static void test_required(void)
{
    refuses(V, "{ ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId", "SubAppId is required");
    refuses(V, "{}", "SubAppId", "SubAppId is required");
    refuses(V, "{ SubAppId = 1, ModelName = 'Vidu' }", "ModelVersion", "ModelVersion is required");
    refuses(V, "{ ModelVersion = 'q2' }", "SubAppId", "SubAppId is required");
    refuses("DescribeTaskDetail", "{ SubAppId = 1 }", "TaskId", "TaskId is required");
    refuses(PM, "{ MediaProcessTask = { AnimatedGraphicTaskSet = { { Definition = 1, "
                "StartTimeOffset = 0 } } } }",
            "MediaProcessTask.AnimatedGraphicTaskSet[1].EndTimeOffset",
            "MediaProcessTask.AnimatedGraphicTaskSet[1].EndTimeOffset is required");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, WatermarkSet = "
                "{ { Definition = 1 }, { TextContent = 'x' } } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[2].Definition",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[2].Definition is required");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, CopyRightWatermark = "
                "{} } } } }", "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark.Text",
            "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark.Text is required");
    /* only the table's own members count, as only they are sent */
    refuses("DescribeTaskDetail", "setmetatable({}, { __index = { TaskId = 't' } })", "TaskId",
            "TaskId is required");
}

static void test_integers(void)
{
    refuses(V, "{ SubAppId = 1.5, ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be an integer, got 1.5");
    refuses(V, "{ SubAppId = '221073', ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be an integer, got string");
    refuses(V, "{ SubAppId = -1, ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be between 0 and 2^53 (larger integers do not survive JSON exactly), got -1");
    refuses(V, "{ SubAppId = 2^53 + 2, ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be between 0 and 2^53 (larger integers do not survive JSON exactly), "
            "got 9007199254740994");
    refuses(V, "{ SubAppId = 0/0, ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be an integer, got NaN");
    refuses(V, "{ SubAppId = math.huge, ModelName = 'Vidu', ModelVersion = 'q2' }", "SubAppId",
            "SubAppId must be an integer, got inf");
    refuses(V, "{" REQ "Seed = -2^53 - 2 }", "Seed",
            "Seed must be between -2^53 and 2^53 (larger integers do not survive JSON exactly), "
            "got -9007199254740994");
    refuses(V, "{" REQ "Seed = true }", "Seed", "Seed must be an integer, got boolean");
    refuses(V, "{" REQ "OutputConfig = { ClassId = 0.25 } }", "OutputConfig.ClassId",
            "OutputConfig.ClassId must be an integer, got 0.25");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, WatermarkSet = "
                "{ { Definition = -1 } } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].Definition",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].Definition must be between 0 and "
            "2^53 (larger integers do not survive JSON exactly), got -1");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, HeadTailSet = "
                "{ { Definition = 2^53 + 2 } } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].HeadTailSet[1].Definition",
            "MediaProcessTask.TranscodeTaskSet[1].HeadTailSet[1].Definition must be between -2^53 and "
            "2^53 (larger integers do not survive JSON exactly), got 9007199254740994");
    refuses("SearchMedia", "{ ClassIds = { 1, 2, 'x' } }", "ClassIds[3]",
            "ClassIds[3] must be an integer, got string");
}

static void test_floats_strings_bools(void)
{
    refuses(V, "{" REQ "OutputConfig = { Duration = '5' } }", "OutputConfig.Duration",
            "OutputConfig.Duration must be a number, got string");
    refuses(PM, "{ MediaProcessTask = { SnapshotByTimeOffsetTaskSet = { { Definition = 1, "
                "TimeOffsetSet = { 1, {} } } } } }",
            "MediaProcessTask.SnapshotByTimeOffsetTaskSet[1].TimeOffsetSet[2]",
            "MediaProcessTask.SnapshotByTimeOffsetTaskSet[1].TimeOffsetSet[2] must be a number, got table");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, WatermarkSet = "
                "{ { Definition = 1, StartTimeOffset = false } } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].StartTimeOffset",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet[1].StartTimeOffset must be a number, "
            "got boolean");
    refuses(V, "{ SubAppId = 1, ModelName = 5, ModelVersion = 'q2' }", "ModelName",
            "ModelName must be a string, got 5");
    refuses(V, "{" REQ "Prompt = 'he\\255ro' }", "Prompt",
            "Prompt must be valid UTF-8 (bad byte at offset 2)");
    refuses(V, "{" REQ "Prompt = 'he\\0ro' }", "Prompt", "Prompt must not contain a NUL byte");
    refuses(V, "{" REQ "SubjectInfos = { { Name = {} } } }", "SubjectInfos[1].Name",
            "SubjectInfos[1].Name must be a string, got table");
    refuses(V, "{" REQ "SubjectInfos = { { Name = 'a\\192\\175' } } }", "SubjectInfos[1].Name",
            "SubjectInfos[1].Name must be valid UTF-8 (bad byte at offset 1)");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = { 'a', 'b\\0' } } } }",
            "SubjectInfos[1].ImageUrls[2]", "SubjectInfos[1].ImageUrls[2] must not contain a NUL byte");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = { 42 } } } }", "SubjectInfos[1].ImageUrls[1]",
            "SubjectInfos[1].ImageUrls[1] must be a string, got 42");
    /* the ASCII fast path reads 8 bytes a step: bad bytes on both sides of a step */
    accepts(V, "{" REQ "Prompt = 'abcdefgh', NegativePrompt = 'abcdefghijklmnopq\\127', "
               "EnhancePrompt = 'abcdefgh\\228\\184\\187' }", "ASCII and UTF-8 across 8-byte steps");
    refuses(V, "{" REQ "Prompt = 'abcdefg\\255' }", "Prompt",
            "Prompt must be valid UTF-8 (bad byte at offset 7)");
    refuses(V, "{" REQ "Prompt = 'abcdefgh\\255' }", "Prompt",
            "Prompt must be valid UTF-8 (bad byte at offset 8)");
    refuses(V, "{" REQ "Prompt = 'abcdefghijklmno\\0' }", "Prompt", "Prompt must not contain a NUL byte");
    refuses(V, "{" REQ "Prompt = 'abcdefgh\\0' }", "Prompt", "Prompt must not contain a NUL byte");
    refuses(V, "{" REQ "Prompt = '\\0abcdefghijklmnop' }", "Prompt", "Prompt must not contain a NUL byte");
    refuses(V, "{" REQ "Prompt = '\\228\\184\\187\\0' }", "Prompt", "Prompt must not contain a NUL byte");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = { 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', "
               "'a', 'a', 1 } } } }", "SubjectInfos[1].ImageUrls[12]",
            "SubjectInfos[1].ImageUrls[12] must be a string, got 1");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, TraceWatermark = "
                "{ Switch = print } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Switch",
            "MediaProcessTask.TranscodeTaskSet[1].TraceWatermark.Switch must be a string, got function");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, CopyRightWatermark = "
                "{ Text = 'a\\255' } } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark.Text",
            "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark.Text must be valid UTF-8 "
            "(bad byte at offset 1)");
}

static void test_lists(void)
{
    refuses(V, "{" REQ "SubjectInfos = 'hero' }", "SubjectInfos", "SubjectInfos must be a list, got string");
    refuses(V, "{" REQ "SubjectInfos = { Name = 'hero' } }", "SubjectInfos",
            "SubjectInfos must be a list (keys 1..n only), got a table with other keys");
    refuses(V, "{" REQ "SubjectInfos = { { Name = 'a' }, x = 1 } }", "SubjectInfos",
            "SubjectInfos must be a list (keys 1..n only), got a table with other keys");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = 'https://example.com/a.png' } } }",
            "SubjectInfos[1].ImageUrls", "SubjectInfos[1].ImageUrls must be a list, got string");
    refuses(V, "{" REQ "SubjectInfos = { { ImageUrls = { url = 'x' } } } }", "SubjectInfos[1].ImageUrls",
            "SubjectInfos[1].ImageUrls must be a list (keys 1..n only), got a table with other keys");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, WatermarkSet = 5 } } } }",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet",
            "MediaProcessTask.TranscodeTaskSet[1].WatermarkSet must be a list, got 5");
    refuses(V, "{" REQ "SubjectInfos = { 'hero' } }", "SubjectInfos[1]",
            "SubjectInfos[1] must be a table (an object with members Id, Name, VoiceId, ImageUrls, "
            "...), got string");
    /* holes and numeric keys past the length are the encoder's to refuse */
    accepts(V, "{" REQ "SubjectInfos = { [1] = { Name = 'a' }, [3] = { Name = 'c' } } }",
            "a sparse list is left to the encoder");
    accepts(V, "{" REQ "SubjectInfos = { [0] = 'x', [1.5] = 'y' } }",
            "numeric keys outside 1..n are left to the encoder");
}

static void test_objects(void)
{
    refuses(V, "{" REQ "OutputConfig = 'x' }", "OutputConfig",
            "OutputConfig must be a table (an object with members StorageMode, MediaName, ClassId, "
            "ExpireTime, ...), got string");
    refuses(PM, "{ MediaProcessTask = { TranscodeTaskSet = { { Definition = 1, CopyRightWatermark = "
                "'x' } } } }", "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark",
            "MediaProcessTask.TranscodeTaskSet[1].CopyRightWatermark must be a table (an object with "
            "members Text), got string");
    refuses(PM, "{ MediaProcessTask = true }", "MediaProcessTask",
            "MediaProcessTask must be a table (an object with members TranscodeTaskSet, "
            "AnimatedGraphicTaskSet, SnapshotByTimeOffsetTaskSet, SampleSnapshotTaskSet, ...), "
            "got boolean");
    {
        vod_check_error e;
        const vod_maction *a = vod_model_action("PullEvents", 10);
        int rc;
        lua_pushliteral(L, "x");
        rc = vod_check_model(L, 1, vod_maction_input(a), &e);
        CHECK(rc == -1 && e.param[0] == '\0' &&
              strcmp(e.message, "parameters must be a table of named parameters, got string") == 0,
              "the top is not a table");
        CHECK(lua_gettop(L) == 1, "the stack unchanged");
        lua_settop(L, 0);
    }
}

static void test_long_paths(void)
{
    /* the model's longest path: 90 bytes, deeper than most param buffers */
    static const char *path = "SmartEraseTask.OverrideParameter.EraseWatermarkConfig.CustomAreas[1]."
                              "Areas[1].RightBottomX";
    vod_check_error e;
    char expect[600];
    int rc = run(MPS, "{ FileId = 'f', SubAppId = 1, SmartEraseTask = { OverrideParameter = { "
                      "EraseWatermarkConfig = { CustomAreas = { { BeginMs = 0, EndMs = 1, Areas = { "
                      "{ LeftTopX = 0, LeftTopY = 0, RightBottomX = 'x', RightBottomY = 1, Unit = 1 } "
                      "} } } } } } }", &e);
    snprintf(expect, sizeof expect, "%s must be a number, got string", path);
    CHECK(rc == -1 && strcmp(e.message, expect) == 0, "the longest path in the message");
    if (strlen(path) < sizeof e.param) {
        CHECK(strcmp(e.param, path) == 0, "the longest path in param");
    } else {
        size_t n = sizeof e.param - 1;
        CHECK(strlen(e.param) == n && strncmp(e.param, path, n - 3) == 0 &&
              strcmp(e.param + n - 3, "...") == 0, "the longest path clipped with ... in param");
    }
    accepts(MPS, "{ FileId = 'f', SubAppId = 1, SmartEraseTask = { OverrideParameter = { "
                 "EraseWatermarkConfig = { CustomAreas = { { BeginMs = 0, EndMs = 1, Areas = { "
                 "{ LeftTopX = 0, LeftTopY = 0, RightBottomX = 1, RightBottomY = 1, Unit = 1 } "
                 "} } } } } } }", "depth 6 valid");
    refuses(MPS, "{ FileId = 'f', SubAppId = 1, SmartEraseTask = { OverrideParameter = { "
                 "EraseWatermarkConfig = { CustomAreas = { { BeginMs = 0, EndMs = 1 } } } } } }",
            "SmartEraseTask.OverrideParameter.EraseWatermarkConfig.CustomAreas[1].Areas",
            "SmartEraseTask.OverrideParameter.EraseWatermarkConfig.CustomAreas[1].Areas is required");
}

static void test_cycles(void)
{
    /* a table that contains itself follows the (acyclic) model down, and
     * fails on a name the deeper structure does not have */
    refuses(V, "(function() local t = {}; t.OutputConfig = t; return t end)()",
            "OutputConfig.OutputConfig",
            "unknown parameter 'OutputConfig.OutputConfig' (AigcVideoOutputConfig has no such member)");
    accepts(V, "(function() local s = { Name = 'a' }; return { SubAppId = 1, ModelName = 'a', "
               "ModelVersion = 'b', SubjectInfos = { s, s, s } } end)()",
            "one table as several items is no cycle");
}

int main(void)
{
    L = luaL_newstate();
    if (L == NULL)
        return 2;
    luaL_openlibs(L);
    lua_pushlightuserdata(L, NULL);
    lua_setglobal(L, "null");
    test_valid();
    test_null_and_empty();
    test_disabled();
    test_unknown();
    test_keys();
    test_required();
    test_integers();
    test_floats_strings_bools();
    test_lists();
    test_objects();
    test_long_paths();
    test_cycles();
    lua_close(L);
    return check_report();
}
