// The numbers of curl_abi.h held against libcurl itself: at build time against <curl/curl.h>
// when the development headers are installed (a mismatch fails the build), and at run time
// against the installed library's own option table (`ns_curl_abi_check`, run by a test), so
// a machine without the headers still checks them. A separate file from curl.c: curl.h's
// types (CURLcode is an enum there) would clash with curl.c's header-free declarations.
#include "CCurl.h"
#include "curl_abi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<curl/curl.h>)
#include <curl/curl.h>
_Static_assert(OPT_WRITEDATA == CURLOPT_WRITEDATA, "CURLOPT_WRITEDATA");
_Static_assert(OPT_URL == CURLOPT_URL, "CURLOPT_URL");
_Static_assert(OPT_ERRORBUFFER == CURLOPT_ERRORBUFFER, "CURLOPT_ERRORBUFFER");
_Static_assert(OPT_WRITEFUNCTION == CURLOPT_WRITEFUNCTION, "CURLOPT_WRITEFUNCTION");
_Static_assert(OPT_POSTFIELDS == CURLOPT_POSTFIELDS, "CURLOPT_POSTFIELDS");
_Static_assert(OPT_HTTPHEADER == CURLOPT_HTTPHEADER, "CURLOPT_HTTPHEADER");
_Static_assert(OPT_HEADERDATA == CURLOPT_HEADERDATA, "CURLOPT_HEADERDATA");
_Static_assert(OPT_CUSTOMREQUEST == CURLOPT_CUSTOMREQUEST, "CURLOPT_CUSTOMREQUEST");
_Static_assert(OPT_NOPROGRESS == CURLOPT_NOPROGRESS, "CURLOPT_NOPROGRESS");
_Static_assert(OPT_NOBODY == CURLOPT_NOBODY, "CURLOPT_NOBODY");
_Static_assert(OPT_FOLLOWLOCATION == CURLOPT_FOLLOWLOCATION, "CURLOPT_FOLLOWLOCATION");
_Static_assert(OPT_MAXREDIRS == CURLOPT_MAXREDIRS, "CURLOPT_MAXREDIRS");
_Static_assert(OPT_HEADERFUNCTION == CURLOPT_HEADERFUNCTION, "CURLOPT_HEADERFUNCTION");
_Static_assert(OPT_NOSIGNAL == CURLOPT_NOSIGNAL, "CURLOPT_NOSIGNAL");
_Static_assert(OPT_ACCEPT_ENCODING == CURLOPT_ACCEPT_ENCODING, "CURLOPT_ACCEPT_ENCODING");
_Static_assert(OPT_TIMEOUT_MS == CURLOPT_TIMEOUT_MS, "CURLOPT_TIMEOUT_MS");
_Static_assert(OPT_PROTOCOLS == CURLOPT_PROTOCOLS, "CURLOPT_PROTOCOLS");
_Static_assert(OPT_REDIR_PROTOCOLS == CURLOPT_REDIR_PROTOCOLS, "CURLOPT_REDIR_PROTOCOLS");
_Static_assert(OPT_POSTFIELDSIZE_LARGE == CURLOPT_POSTFIELDSIZE_LARGE, "CURLOPT_POSTFIELDSIZE_LARGE");
_Static_assert(INFO_RESPONSE_CODE == CURLINFO_RESPONSE_CODE, "CURLINFO_RESPONSE_CODE");
_Static_assert(PROTO_HTTP_HTTPS == (CURLPROTO_HTTP | CURLPROTO_HTTPS), "CURLPROTO_HTTP|HTTPS");
_Static_assert(GLOBAL_ALL == CURL_GLOBAL_ALL, "CURL_GLOBAL_ALL");
_Static_assert(MSG_DONE == CURLMSG_DONE, "CURLMSG_DONE");
_Static_assert(ERR_WRITE == CURLE_WRITE_ERROR, "CURLE_WRITE_ERROR");
_Static_assert(ERROR_SIZE == CURL_ERROR_SIZE, "CURL_ERROR_SIZE");
#endif
#endif

/* libcurl's `struct curl_easyoption` (7.73+), under a name of our own. */
struct ns_curl_easyoption {
    const char *name;
    int id;
    int type;
    unsigned int flags;
};

int ns_curl_abi_check(char *failure, size_t size) {
    static const struct { const char *name; int id; } options[] = {
        {"WRITEDATA", OPT_WRITEDATA}, {"URL", OPT_URL}, {"ERRORBUFFER", OPT_ERRORBUFFER},
        {"WRITEFUNCTION", OPT_WRITEFUNCTION}, {"POSTFIELDS", OPT_POSTFIELDS}, {"HTTPHEADER", OPT_HTTPHEADER},
        {"HEADERDATA", OPT_HEADERDATA}, {"CUSTOMREQUEST", OPT_CUSTOMREQUEST}, {"NOPROGRESS", OPT_NOPROGRESS},
        {"NOBODY", OPT_NOBODY}, {"FOLLOWLOCATION", OPT_FOLLOWLOCATION}, {"MAXREDIRS", OPT_MAXREDIRS},
        {"HEADERFUNCTION", OPT_HEADERFUNCTION}, {"NOSIGNAL", OPT_NOSIGNAL}, {"ACCEPT_ENCODING", OPT_ACCEPT_ENCODING},
        {"TIMEOUT_MS", OPT_TIMEOUT_MS}, {"PROTOCOLS", OPT_PROTOCOLS}, {"REDIR_PROTOCOLS", OPT_REDIR_PROTOCOLS},
        {"POSTFIELDSIZE_LARGE", OPT_POSTFIELDSIZE_LARGE},
    };
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(failure, size, "no libcurl to compare with: %s", dlerror());
        return 2;
    }
    const struct ns_curl_easyoption *(*by_name)(const char *) = NULL;
    *(void **)&by_name = dlsym(library, "curl_easy_option_by_name");
    if (!by_name) {
        snprintf(failure, size, "this libcurl has no curl_easy_option_by_name (before 7.73)");
        dlclose(library);
        return 2;
    }
    int status = 0;
    for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
        const struct ns_curl_easyoption *o = by_name(options[i].name);
        if (!o || o->id != options[i].id) {
            snprintf(failure, size, "CURLOPT_%s is %d in curl_abi.h but %d in libcurl", options[i].name,
                     options[i].id, o ? o->id : -1);
            status = 1;
            break;
        }
    }
    dlclose(library);
    return status;
}
