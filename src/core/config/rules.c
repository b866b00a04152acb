/* The hand-written rules of CreateAigcSubject and DescribeTaskDetail, where
 * their documentation says more than the model (the API Explorer's pages,
 * https://console.tencentcloud.com/api/explorer?Product=vod&Version=2018-07-17&Action=CreateAigcSubject
 * and ...&Action=DescribeTaskDetail). */
#include "rules.h"

#define MAX_SAFE_INT 9007199254740992LL /* 2^53: larger integers do not survive JSON */

static const vod_param_rule create_aigc_subject[] = {
    /* name             type               req min  max            chars empty items */
    { "SubAppId",       VOD_P_INTEGER,     0,  0,   MAX_SAFE_INT,  0,    0, 0, 0 },
    { "SubjectName",    VOD_P_STRING,      0,  0,   0,             0,    0, 0, 0 },
    { "SubjectImages",  VOD_P_STRING_LIST, 0,  0,   0,             0,    1, 1, 3 },
    { "SubjectVideos",  VOD_P_STRING_LIST, 0,  0,   0,             0,    1, 0, 1 },
    { "VoiceId",        VOD_P_STRING,      0,  0,   0,             0,    0, 0, 0 },
    { "SessionId",      VOD_P_STRING,      0,  0,   0,             50,   0, 0, 0 },
    { "SessionContext", VOD_P_STRING,      0,  0,   0,             1000, 0, 0, 0 },
    { "TasksPriority",  VOD_P_INTEGER,     0,  -10, 10,            0,    0, 0, 0 },
};

const vod_action_rules vod_rules_create_aigc_subject = {
    "CreateAigcSubject", create_aigc_subject,
    sizeof create_aigc_subject / sizeof create_aigc_subject[0],
    { "SubjectImages", "SubjectVideos", NULL },
};

static const vod_param_rule describe_task_detail[] = {
    { "TaskId",         VOD_P_STRING,      1,  0,   0,             0,    1, 0, 0 },
    { "SubAppId",       VOD_P_INTEGER,     0,  0,   MAX_SAFE_INT,  0,    0, 0, 0 },
};

const vod_action_rules vod_rules_describe_task_detail = {
    "DescribeTaskDetail", describe_task_detail,
    sizeof describe_task_detail / sizeof describe_task_detail[0],
    { NULL, NULL, NULL },
};
