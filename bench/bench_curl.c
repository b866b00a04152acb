/* For scale: libcurl's own HTTP, a bare curl_easy_perform keep-alive POST
 * loop against the same endpoint, nothing else (no signing, no Lua). The
 * library no longer sends through this path (it uses libcurl to connect and
 * its own HTTP/1.1 over the connection), and costs less than this loop.
 * Prints {"curl_cpu_us": N, "curl_user_us": N, "curl_sys_us": N}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <curl/curl.h>

static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }

static double secs(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    static const char body[] = "{\"SubAppId\":221073,\"SubjectName\":\"hero\",\"SubjectImages\":"
                               "[\"https://example.com/hero.png\"]}";
    const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8080/";
    const char *ca = argc > 2 && argv[2][0] ? argv[2] : NULL;
    long n = argc > 3 ? atol(argv[3]) : 20000;
    struct curl_slist *h = NULL;
    struct rusage a, b;
    CURL *c;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (ca)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    for (int i = 0; i < 200; i++)
        curl_easy_perform(c);
    getrusage(RUSAGE_SELF, &a);
    for (long i = 0; i < n; i++)
        if (curl_easy_perform(c) != CURLE_OK)
            return 1;
    getrusage(RUSAGE_SELF, &b);
    printf("{\"curl_user_us\": %.1f, \"curl_sys_us\": %.1f, \"curl_cpu_us\": %.1f}\n",
           (secs(b.ru_utime) - secs(a.ru_utime)) / n * 1e6, (secs(b.ru_stime) - secs(a.ru_stime)) / n * 1e6,
           (secs(b.ru_utime) + secs(b.ru_stime) - secs(a.ru_utime) - secs(a.ru_stime)) / n * 1e6);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return 0;
}
