#ifndef NIGHTSHIFT_CURL_ABI_H
#define NIGHTSHIFT_CURL_ABI_H

/* libcurl's option, info and code numbers, copied by hand because curl.c is built without
   libcurl's headers (it dlopens the library). They are libcurl's stable ABI (curl/curl.h:
   CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT 20000, OFF_T 30000; CURLINFO_LONG
   0x200000); abi_check.c compares each with <curl/curl.h> at build time when the header is
   there, and `ns_curl_abi_check` with the installed library at run time (a test). */
enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_WRITEFUNCTION = 20011,
    OPT_POSTFIELDS = 10015, OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_CUSTOMREQUEST = 10036,
    OPT_NOPROGRESS = 43, OPT_NOBODY = 44, OPT_FOLLOWLOCATION = 52, OPT_MAXREDIRS = 68,
    OPT_HEADERFUNCTION = 20079, OPT_NOSIGNAL = 99, OPT_ACCEPT_ENCODING = 10102, OPT_TIMEOUT_MS = 155,
    OPT_PROTOCOLS = 181, OPT_REDIR_PROTOCOLS = 182, OPT_POSTFIELDSIZE_LARGE = 30120,
    INFO_RESPONSE_CODE = 0x200000 + 2,
    PROTO_HTTP_HTTPS = 1 | 2, GLOBAL_ALL = 3, MSG_DONE = 1, ERR_WRITE = 23, ERROR_SIZE = 256,
};

#endif
