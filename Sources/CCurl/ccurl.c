#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_perform)(CURLM *, int *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  CURLMcode (*multi_timeout)(CURLM *, long *);
  CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
  CURLMcode (*multi_wakeup)(CURLM *);
  curl_version_info_data *(*version_info)(CURLversion);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded = 0;

#define RESOLVE(field, symbol)                                                             \
  do {                                                                                     \
    *(void **)(&api.field) = dlsym(library, symbol);                                       \
    if (!api.field) {                                                                      \
      snprintf(load_error, sizeof load_error, "libcurl has no symbol %s", symbol);         \
      return;                                                                              \
    }                                                                                      \
  } while (0)

static void load_once(void) {
  const char *names[] = {"libcurl.so.4", "libcurl.so", "libcurl.4.dylib", "libcurl.dylib"};
  void *library = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
    library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  }
  if (!library) {
    snprintf(load_error, sizeof load_error, "cannot load libcurl (install libcurl4): %s", dlerror());
    return;
  }
  RESOLVE(global_init, "curl_global_init");
  RESOLVE(easy_init, "curl_easy_init");
  RESOLVE(easy_cleanup, "curl_easy_cleanup");
  RESOLVE(easy_strerror, "curl_easy_strerror");
  RESOLVE(easy_setopt, "curl_easy_setopt");
  RESOLVE(easy_getinfo, "curl_easy_getinfo");
  RESOLVE(slist_append, "curl_slist_append");
  RESOLVE(slist_free_all, "curl_slist_free_all");
  RESOLVE(multi_init, "curl_multi_init");
  RESOLVE(multi_add_handle, "curl_multi_add_handle");
  RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
  RESOLVE(multi_perform, "curl_multi_perform");
  RESOLVE(multi_info_read, "curl_multi_info_read");
  RESOLVE(multi_timeout, "curl_multi_timeout");
  RESOLVE(multi_poll, "curl_multi_poll");
  RESOLVE(multi_wakeup, "curl_multi_wakeup");
  RESOLVE(version_info, "curl_version_info");
  loaded = 1;
}

int ccurl_load(char *error, size_t error_size) {
  pthread_once(&once, load_once);
  if (loaded) return 0;
  if (error && error_size) snprintf(error, error_size, "%s", load_error);
  return -1;
}

CURLcode ccurl_global_init(long flags) { return api.global_init(flags); }
CURL *ccurl_easy_init(void) { return api.easy_init(); }
void ccurl_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }
const char *ccurl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_data_callback(CURL *h, CURLoption o, ccurl_data_callback v) {
  return api.easy_setopt(h, o, v);
}
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }
CURLcode ccurl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return api.easy_getinfo(h, i, v); }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text) {
  return api.slist_append(list, text);
}
void ccurl_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }
CURLM *ccurl_multi_init(void) { return api.multi_init(); }
CURLMcode ccurl_multi_add_handle(CURLM *m, CURL *h) { return api.multi_add_handle(m, h); }
CURLMcode ccurl_multi_remove_handle(CURLM *m, CURL *h) { return api.multi_remove_handle(m, h); }
CURLMcode ccurl_multi_perform(CURLM *m, int *running) { return api.multi_perform(m, running); }
CURLMsg *ccurl_multi_info_read(CURLM *m, int *queued) { return api.multi_info_read(m, queued); }
CURLMcode ccurl_multi_timeout(CURLM *m, long *ms) { return api.multi_timeout(m, ms); }
CURLMcode ccurl_multi_poll(CURLM *m, int timeout_ms) { return api.multi_poll(m, NULL, 0, timeout_ms, NULL); }
CURLMcode ccurl_multi_wakeup(CURLM *m) { return api.multi_wakeup(m); }

const char *ccurl_version_string(void) {
  return loaded ? api.version_info(CURLVERSION_NOW)->version : NULL;
}
int ccurl_has_http2(void) {
  return loaded && (api.version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0;
}
