/* Unit tests of src/core/config/proxy.c: proxy URLs, NO_PROXY matching, and which
 * environment variable applies. Prints "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "proxy.h"

#include "check.h"

static vod_proxy P;
static char why[200];

static int parse(const char *s) { return vod_proxy_parse(s, strlen(s), 0, &P, why, sizeof why); }

static void test_parse_ok(void)
{
    CHECK(parse("http://proxy.example.com:3128") == 0, "plain http");
    CHECK(P.kind == VOD_PROXY_HTTP && P.port == 3128 && !P.has_auth, "http fields");
    CHECK(strcmp(P.host, "proxy.example.com") == 0, "host");
    CHECK(strcmp(P.url, "http://proxy.example.com:3128") == 0, "url");
    CHECK(strcmp(P.shown, P.url) == 0, "shown without auth");

    CHECK(parse("HTTPS://Proxy.Example.COM/") == 0, "scheme and host case, trailing slash");
    CHECK(P.kind == VOD_PROXY_HTTPS && P.port == 443, "https default port 443");
    CHECK(strcmp(P.host, "proxy.example.com") == 0, "host lower-cased");
    CHECK(strcmp(P.scheme, "https") == 0, "scheme lower-cased");

    CHECK(parse("http://h") == 0 && P.port == 80, "http default port 80");
    CHECK(parse("socks5://h") == 0 && P.port == 1080 && P.kind == VOD_PROXY_SOCKS5, "socks5 1080");
    CHECK(parse("socks5h://h:9") == 0 && P.port == 9 && P.kind == VOD_PROXY_SOCKS5H, "socks5h");

    CHECK(parse("http://al%40ice:p%3Aa%2Fss@10.0.0.1:8080") == 0, "percent-encoded userinfo");
    CHECK(P.has_auth && strcmp(P.user, "al@ice") == 0, "user decoded");
    CHECK(strcmp(P.password, "p:a/ss") == 0, "password decoded");
    CHECK(strcmp(P.shown, "http://al%40ice:***@10.0.0.1:8080") == 0, "shown redacts the password");
    CHECK(strstr(P.url, "p%3A") == NULL && strstr(P.url, "al") == NULL, "url has no userinfo");

    CHECK(parse("http://u:p@ss@h:1") == 0 && strcmp(P.password, "p@ss") == 0, "a raw @ in the password");
    CHECK(parse("http://u@h:1") == 0 && P.has_auth && P.password[0] == '\0', "user without password");
    CHECK(parse("http://u:@h:1") == 0 && P.has_auth && P.password[0] == '\0', "empty password");

    CHECK(parse("http://[::1]:3128") == 0 && strcmp(P.host, "::1") == 0, "IPv6 host");
    CHECK(strcmp(P.hostport, "[::1]:3128") == 0 && strcmp(P.url, "http://[::1]:3128") == 0,
          "IPv6 in brackets again");
    CHECK(parse("socks5://[2001:db8::1]") == 0 && P.port == 1080, "IPv6 default port");

    CHECK(vod_proxy_parse("proxy:3128", 10, 1, &P, why, sizeof why) == 0 &&
          P.kind == VOD_PROXY_HTTP && P.port == 3128, "bare host:port from the environment");
    CHECK(vod_proxy_parse("u:p@proxy", 9, 1, &P, why, sizeof why) == 0 && P.has_auth &&
          strcmp(P.password, "p") == 0, "bare with userinfo");
}

static int bad(const char *s, const char *expect)
{
    int rc = parse(s);
    if (rc == 0)
        return 0;
    if (strstr(why, expect) == NULL) {
        printf("  got: %s\n", why);
        return 0;
    }
    return 1;
}

static void test_parse_bad(void)
{
    CHECK(bad("", "must not be empty"), "empty");
    CHECK(bad("proxy:3128", "must be a URL"), "no scheme for the option");
    CHECK(bad("ftp://h", "scheme 'ftp'"), "ftp");
    CHECK(bad("socks4://h", "scheme 'socks4'"), "socks4");
    CHECK(bad("http://", "no host"), "no host");
    CHECK(bad("http://u:p@", "no host"), "userinfo, no host");
    CHECK(bad("http://h:0", "1 to 65535"), "port 0");
    CHECK(bad("http://h:65536", "1 to 65535"), "port 65536");
    CHECK(bad("http://h:", "1 to 65535"), "empty port");
    CHECK(bad("http://h:80x", "1 to 65535"), "port with letters");
    CHECK(bad("http://h:-1", "1 to 65535"), "negative port");
    CHECK(bad("http://h /", "spaces"), "space");
    CHECK(bad("http://h\r\nX: y", "control"), "CR LF");
    CHECK(bad("http://u:s3cr%zzet@h", "percent-escape"), "bad escape");
    CHECK(strstr(why, "s3cr") == NULL, "the password is not quoted");
    CHECK(bad("http://u:p%0d%0a@h", "control character"), "decoded CR LF");
    CHECK(bad("http://u:p%00@h", "control character"), "decoded NUL");
    CHECK(bad("http://:p@h", "empty user name"), "empty user");
    CHECK(bad("http://u%3Ax:p@h", "':' in its user name"), "colon in user");
    CHECK(bad("http://h/path", "path"), "a path");
    CHECK(bad("http://h?q", "path, query"), "a query");
    CHECK(bad("http://u:pa/ss@h", "percent-encode"), "a raw slash in the password");
    CHECK(bad("http://h!x:1", "not a name"), "bad host character");
    CHECK(bad("http://[::1", "unclosed"), "unclosed bracket");
    CHECK(bad("http://[zz::1]:1", "IPv6"), "bad IPv6");
    CHECK(bad("http://[::1]x", "':port'"), "junk after IPv6");
    {
        char big[1100];
        memset(big, 'a', sizeof big);
        memcpy(big, "http://", 7);
        big[1099] = '\0';
        CHECK(bad(big, "at most 1024"), "too long");
        memcpy(big, "http://u:", 9);
        big[9 + 300] = '@';
        big[9 + 301] = 'h';
        big[9 + 302] = '\0';
        CHECK(bad(big, "longer than 255"), "password too long");
    }
}

static void test_no_proxy(void)
{
    CHECK(vod_no_proxy_match("*", "anything.example", 443), "*");
    CHECK(vod_no_proxy_match("example.com", "example.com", 443), "exact name");
    CHECK(vod_no_proxy_match("example.com", "api.example.com", 443), "subdomain");
    CHECK(vod_no_proxy_match(".example.com", "example.com", 443), "leading dot: the domain too");
    CHECK(vod_no_proxy_match(".example.com", "a.b.example.com", 443), "leading dot: subdomains");
    CHECK(vod_no_proxy_match("*.example.com", "a.example.com", 443), "leading *.");
    CHECK(!vod_no_proxy_match("example.com", "notexample.com", 443), "not a suffix of a label");
    CHECK(!vod_no_proxy_match("example.com", "example.com.evil", 443), "not a prefix");
    CHECK(vod_no_proxy_match("EXAMPLE.com", "Api.Example.COM", 443), "case-insensitive");
    CHECK(vod_no_proxy_match("example.com.", "example.com", 443), "trailing dot in the entry");
    CHECK(vod_no_proxy_match("example.com", "example.com.", 443), "trailing dot in the host");
    CHECK(vod_no_proxy_match(" a.test , example.com ", "example.com", 443), "spaces around entries");
    CHECK(vod_no_proxy_match("a.test,,example.com", "example.com", 443), "empty entries skipped");
    CHECK(!vod_no_proxy_match("", "example.com", 443), "empty list");
    CHECK(!vod_no_proxy_match(NULL, "example.com", 443), "no list");
    CHECK(!vod_no_proxy_match("*.", "example.com", 443), "a lone '*.' matches nothing");

    CHECK(vod_no_proxy_match("example.com:443", "example.com", 443), "name:port, same port");
    CHECK(!vod_no_proxy_match("example.com:8443", "example.com", 443), "name:port, other port");

    CHECK(vod_no_proxy_match("127.0.0.1", "127.0.0.1", 80), "IPv4 literal");
    CHECK(!vod_no_proxy_match("127.0.0.1", "127.0.0.2", 80), "other IPv4");
    CHECK(vod_no_proxy_match("127.0.0.1:80", "127.0.0.1", 80), "IPv4:port");
    CHECK(!vod_no_proxy_match("127.0.0.1:81", "127.0.0.1", 80), "IPv4:other port");
    CHECK(!vod_no_proxy_match("0.0.1", "127.0.0.1", 80), "no suffix match on addresses");
    CHECK(vod_no_proxy_match("10.0.0.0/8", "10.200.3.4", 443), "CIDR /8");
    CHECK(!vod_no_proxy_match("10.0.0.0/8", "11.0.0.1", 443), "outside /8");
    CHECK(vod_no_proxy_match("192.168.1.0/25", "192.168.1.127", 443), "CIDR /25 inside");
    CHECK(!vod_no_proxy_match("192.168.1.0/25", "192.168.1.128", 443), "CIDR /25 outside");
    CHECK(vod_no_proxy_match("0.0.0.0/0", "8.8.8.8", 443), "CIDR /0");
    CHECK(vod_no_proxy_match("127.0.0.1/32", "127.0.0.1", 443), "CIDR /32");
    CHECK(!vod_no_proxy_match("127.0.0.1/33", "127.0.0.1", 443), "CIDR /33 is no entry");
    CHECK(!vod_no_proxy_match("10.0.0.0/8", "ten.example", 443), "CIDR never matches a name");
    CHECK(vod_no_proxy_match("::1", "::1", 443), "IPv6 literal");
    CHECK(vod_no_proxy_match("::1", "[::1]", 443), "IPv6 host in brackets");
    CHECK(vod_no_proxy_match("[::1]:443", "::1", 443), "[IPv6]:port");
    CHECK(!vod_no_proxy_match("[::1]:80", "::1", 443), "[IPv6]:other port");
    CHECK(vod_no_proxy_match("0:0::1", "::1", 443), "IPv6 compared as addresses");
    CHECK(vod_no_proxy_match("2001:db8::/32", "2001:db8:1::5", 443), "IPv6 CIDR");
    CHECK(!vod_no_proxy_match("2001:db8::/32", "2001:db9::5", 443), "outside IPv6 CIDR");
    CHECK(!vod_no_proxy_match("10.0.0.0/8", "::1", 443), "families differ");
}

/* a fake environment */
static const char *ENV[16][2];

static const char *get(const char *name)
{
    for (int i = 0; i < 16 && ENV[i][0]; i++)
        if (strcmp(ENV[i][0], name) == 0)
            return ENV[i][1];
    return NULL;
}

static void setenv_(int i, const char *k, const char *v) { ENV[i][0] = k; ENV[i][1] = v; }

static const char *env(int https, const char *host, const char **var, const char **bypass)
{
    return vod_proxy_from_env(get, https, host, https ? 443 : 80, var, bypass);
}

static void test_env(void)
{
    const char *var, *bypass, *v;
    memset(ENV, 0, sizeof ENV);
    CHECK(env(1, "h", &var, &bypass) == NULL && var == NULL, "nothing set");

    setenv_(0, "HTTPS_PROXY", "http://upper:1");
    setenv_(1, "https_proxy", "http://lower:1");
    v = env(1, "h", &var, &bypass);
    CHECK(v && strcmp(v, "http://lower:1") == 0 && strcmp(var, "https_proxy") == 0, "lower case first");
    setenv_(1, "https_proxy", "");
    v = env(1, "h", &var, &bypass);
    CHECK(v && strcmp(var, "HTTPS_PROXY") == 0, "an empty variable counts as unset");
    CHECK(env(0, "h", &var, &bypass) == NULL, "https_proxy is not for http endpoints");

    setenv_(2, "HTTP_PROXY", "http://hp:1");
    v = env(0, "h", &var, &bypass);
    CHECK(v && strcmp(var, "HTTP_PROXY") == 0, "HTTP_PROXY outside CGI");
    setenv_(3, "REQUEST_METHOD", "GET");
    CHECK(env(0, "h", &var, &bypass) == NULL, "HTTP_PROXY ignored under CGI");
    setenv_(4, "http_proxy", "http://lp:1");
    v = env(0, "h", &var, &bypass);
    CHECK(v && strcmp(var, "http_proxy") == 0, "http_proxy still read under CGI");

    memset(ENV, 0, sizeof ENV);
    setenv_(0, "ALL_PROXY", "socks5://all:1");
    v = env(1, "h", &var, &bypass);
    CHECK(v && strcmp(var, "ALL_PROXY") == 0, "ALL_PROXY as the fallback");
    setenv_(1, "all_proxy", "socks5h://all:2");
    v = env(0, "h", &var, &bypass);
    CHECK(v && strcmp(var, "all_proxy") == 0, "all_proxy before ALL_PROXY");
    setenv_(2, "HTTPS_PROXY", "http://s:1");
    v = env(1, "h", &var, &bypass);
    CHECK(v && strcmp(var, "HTTPS_PROXY") == 0, "the scheme's variable before all_proxy");

    setenv_(3, "NO_PROXY", "h");
    CHECK(env(1, "h", &var, &bypass) == NULL && strcmp(bypass, "NO_PROXY") == 0, "NO_PROXY exempts");
    CHECK(env(1, "other", &var, &bypass) != NULL && bypass == NULL, "NO_PROXY for others only");
    setenv_(4, "no_proxy", "x.test");
    CHECK(env(1, "h", &var, &bypass) != NULL, "no_proxy (lower case) wins over NO_PROXY");
    CHECK(env(1, "x.test", &var, &bypass) == NULL && strcmp(bypass, "no_proxy") == 0,
          "no_proxy exempts");
}

int main(void)
{
    test_parse_ok();
    test_parse_bad();
    test_no_proxy();
    test_env();
    return check_report();
}
