// libcurl through dlopen and a handful of entry points: no link-time dependency (and no
// libcurl headers at build time), so the library and its dependencies load only when a
// script sends its first request. The option and info numbers are libcurl's stable ABI,
// copied into curl_abi.h; abi_check.c holds them against <curl/curl.h> where it is installed.
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef void CURL;
typedef void CURLM;
typedef int CURLcode;
typedef int CURLMcode;
struct curl_slist;
typedef struct {
    int msg;
    CURL *easy_handle;
    union { void *whatever; CURLcode result; } data;
} CURLMsg;

#include "curl_abi.h"

static struct {
    void *library;
    char failure[256];
    int (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, int, ...);
    CURLcode (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, void *, unsigned, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_load(void) {
    // libcurl4 (OpenSSL) first, as FoundationNetworking used; the GnuTLS build is the same ABI.
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    for (size_t i = 0; i < sizeof names / sizeof *names && !curl.library; i++) {
        curl.library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!curl.library) {
        snprintf(curl.failure, sizeof curl.failure, "cannot load libcurl (install the libcurl4 package): %s", dlerror());
        return;
    }
#define LOAD(field, symbol) \
    if (!(*(void **)&curl.field = dlsym(curl.library, symbol))) { \
        snprintf(curl.failure, sizeof curl.failure, "libcurl lacks %s (7.66 or later needed)", symbol); \
        return; \
    }
    LOAD(global_init, "curl_global_init")
    LOAD(easy_init, "curl_easy_init")
    LOAD(easy_setopt, "curl_easy_setopt")
    LOAD(easy_getinfo, "curl_easy_getinfo")
    LOAD(easy_cleanup, "curl_easy_cleanup")
    LOAD(easy_strerror, "curl_easy_strerror")
    LOAD(multi_init, "curl_multi_init")
    LOAD(multi_add_handle, "curl_multi_add_handle")
    LOAD(multi_remove_handle, "curl_multi_remove_handle")
    LOAD(multi_perform, "curl_multi_perform")
    LOAD(multi_poll, "curl_multi_poll")
    LOAD(multi_info_read, "curl_multi_info_read")
    LOAD(multi_cleanup, "curl_multi_cleanup")
    LOAD(slist_append, "curl_slist_append")
    LOAD(slist_free_all, "curl_slist_free_all")
#undef LOAD
    // Not thread-safe in old libcurl releases: once, here, under pthread_once.
    if (curl.global_init(GLOBAL_ALL) != 0) {
        snprintf(curl.failure, sizeof curl.failure, "curl_global_init failed");
        return;
    }
    curl.failure[0] = 0;
}

static size_t write_body(char *data, size_t size, size_t count, void *user) {
    const ns_http_request *r = user;
    size_t length = size * count;
    // A short count makes libcurl end the transfer with CURLE_WRITE_ERROR.
    return r->on_body(r->context, data, length) == 0 ? length : 0;
}

static size_t write_header(char *data, size_t size, size_t count, void *user) {
    const ns_http_request *r = user;
    r->on_header(r->context, data, size * count);
    return size * count;
}

ns_http_outcome ns_http_perform(const ns_http_request *r, long *status, char *error, size_t error_size) {
    pthread_once(&curl_once, curl_load);
    if (!curl.library || curl.failure[0]) {
        snprintf(error, error_size, "%s", curl.failure[0] ? curl.failure : "cannot load libcurl");
        return NS_HTTP_UNAVAILABLE;
    }
    CURL *e = curl.easy_init();
    CURLM *m = curl.multi_init();
    if (!e || !m) {
        if (e) curl.easy_cleanup(e);
        if (m) curl.multi_cleanup(m);
        snprintf(error, error_size, "cannot start an HTTP transfer");
        return NS_HTTP_FAILED;
    }
    char detail[ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    int has_expect = 0;
    for (size_t i = 0; i < r->header_count; i++) {
        headers = curl.slist_append(headers, r->headers[i]);
        if (strncasecmp(r->headers[i], "Expect:", 7) == 0) has_expect = 1;
    }
    // No "Expect: 100-continue" for a larger body: many small servers never answer it.
    if (!has_expect) headers = curl.slist_append(headers, "Expect:");

    curl.easy_setopt(e, OPT_URL, r->url);
    curl.easy_setopt(e, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(e, OPT_PROTOCOLS, (long)PROTO_HTTP_HTTPS);
    curl.easy_setopt(e, OPT_REDIR_PROTOCOLS, (long)PROTO_HTTP_HTTPS);
    // As URLSession did: redirects followed, compressed bodies decoded.
    curl.easy_setopt(e, OPT_FOLLOWLOCATION, 1L);
    curl.easy_setopt(e, OPT_MAXREDIRS, 16L);
    curl.easy_setopt(e, OPT_ACCEPT_ENCODING, "");
    curl.easy_setopt(e, OPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 1L);
    curl.easy_setopt(e, OPT_ERRORBUFFER, detail);
    curl.easy_setopt(e, OPT_WRITEFUNCTION, write_body);
    curl.easy_setopt(e, OPT_WRITEDATA, (void *)r);
    curl.easy_setopt(e, OPT_HEADERFUNCTION, write_header);
    curl.easy_setopt(e, OPT_HEADERDATA, (void *)r);
    curl.easy_setopt(e, OPT_HTTPHEADER, headers);
    if (r->body) {
        curl.easy_setopt(e, OPT_POSTFIELDSIZE_LARGE, (long long)r->body_length);
        curl.easy_setopt(e, OPT_POSTFIELDS, (const char *)r->body);
        if (strcmp(r->method, "POST") != 0) curl.easy_setopt(e, OPT_CUSTOMREQUEST, r->method);
    } else if (strcmp(r->method, "HEAD") == 0) {
        curl.easy_setopt(e, OPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") != 0) {
        curl.easy_setopt(e, OPT_CUSTOMREQUEST, r->method);
    }

    ns_http_outcome outcome = NS_HTTP_FAILED;
    CURLcode result = 0;
    int running = 1, finished = 0;
    curl.multi_add_handle(m, e);
    // The multi interface rather than curl_easy_perform: a poll of at most 100 ms between
    // looks at should_stop, so SIGINT/SIGTERM end a request within a tenth of a second.
    while (!finished) {
        if (curl.multi_perform(m, &running) != 0) break;
        int queued = 0;
        CURLMsg *msg;
        while ((msg = curl.multi_info_read(m, &queued))) {
            if (msg->msg == MSG_DONE && msg->easy_handle == e) {
                result = msg->data.result;
                finished = 1;
            }
        }
        if (finished || !running) break;
        if (r->should_stop(r->context)) {
            outcome = NS_HTTP_STOPPED;
            break;
        }
        curl.multi_poll(m, NULL, 0, 100, NULL);
    }
    if (finished) {
        if (result == 0) {
            outcome = NS_HTTP_DONE;
        } else if (result == ERR_WRITE) {
            outcome = NS_HTTP_BODY_STOPPED;
        } else {
            outcome = NS_HTTP_FAILED;
            snprintf(error, error_size, "%s%s%s", curl.easy_strerror(result), detail[0] ? ": " : "", detail);
        }
    } else if (outcome != NS_HTTP_STOPPED) {
        snprintf(error, error_size, "the HTTP transfer failed");
    }
    *status = 0;
    if (outcome == NS_HTTP_DONE || outcome == NS_HTTP_BODY_STOPPED) curl.easy_getinfo(e, INFO_RESPONSE_CODE, status);
    curl.multi_remove_handle(m, e);
    curl.easy_cleanup(e);
    curl.multi_cleanup(m);
    curl.slist_free_all(headers);
    return outcome;
}
