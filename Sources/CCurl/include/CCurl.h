#ifndef NIGHTSHIFT_CCURL_H
#define NIGHTSHIFT_CCURL_H

#include <stddef.h>

/// One HTTP exchange through libcurl, which is loaded with dlopen on the first request:
/// a process that never sends HTTP never maps libcurl and its ~30 libraries (about 7 ms
/// and 6 MiB of every start otherwise).
typedef struct ns_http_request {
    const char *url;
    /// Upper case; "GET", "HEAD", "POST" or any other token.
    const char *method;
    /// "Name: value" lines.
    const char *const *headers;
    size_t header_count;
    /// NULL for no body.
    const unsigned char *body;
    size_t body_length;
    /// The whole exchange, in milliseconds (libcurl's own limit; the caller keeps its deadline too).
    long timeout_ms;
    /// Passed to the callbacks.
    void *context;
    /// Body bytes; returns 0 to go on, non-zero to stop the transfer (the body is long enough).
    int (*on_body)(void *context, const char *data, size_t length);
    /// One header line as received (status lines included), CRLF kept.
    void (*on_header)(void *context, const char *data, size_t length);
    /// Asked about ten times a second; non-zero ends the transfer at once.
    int (*should_stop)(void *context);
} ns_http_request;

/// How `ns_http_perform` ended.
typedef enum ns_http_outcome {
    NS_HTTP_DONE = 0,        ///< a response was received (any status)
    NS_HTTP_BODY_STOPPED = 1, ///< on_body asked to stop: the response so far counts
    NS_HTTP_STOPPED = 2,     ///< should_stop ended it
    NS_HTTP_FAILED = 3,      ///< no response: `error` says why
    NS_HTTP_UNAVAILABLE = 4, ///< libcurl cannot be loaded: `error` says why
} ns_http_outcome;

/// Performs `request`; `status` receives the HTTP status when there was a response.
ns_http_outcome ns_http_perform(const ns_http_request *request, long *status, char *error, size_t error_size);

/// Compares the option numbers curl.c uses with the installed libcurl's own table: 0 all
/// match, 1 one differs, 2 cannot tell (no libcurl, or one older than 7.73); `failure` says
/// which or why. For tests: the build compares them with <curl/curl.h> when it is installed.
int ns_curl_abi_check(char *failure, size_t size);

#endif
