#ifndef TGPT_CCURL_H
#define TGPT_CCURL_H

// libcurl for Swift. The library is loaded with dlopen on the first transfer, not linked:
// linking it makes every start of every program pay for ~30 shared libraries (TLS, Kerberos,
// LDAP, …) even for --version. curl.h is used for types and constants only.
// The typed setopt/getinfo wrappers exist because those calls are variadic, which Swift
// cannot call.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*ccurl_data_callback)(char *, size_t, size_t, void *);

/// Loads libcurl once (thread-safe). Returns 0, or -1 with a message in `error`.
int ccurl_load(char *error, size_t error_size);

CURLcode ccurl_global_init(long flags);
CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback value);
CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text);
void ccurl_slist_free_all(struct curl_slist *list);

CURLM *ccurl_multi_init(void);
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_perform(CURLM *multi, int *running);
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *queued);
CURLMcode ccurl_multi_timeout(CURLM *multi, long *milliseconds);
CURLMcode ccurl_multi_poll(CURLM *multi, int timeout_ms);
CURLMcode ccurl_multi_wakeup(CURLM *multi);

/// The loaded library's version text ("7.88.1"), or NULL before loading.
const char *ccurl_version_string(void);
/// Whether the loaded library speaks HTTP/2.
int ccurl_has_http2(void);

#endif
