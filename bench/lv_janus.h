/* lv_janus.h — Janus's HTTP API as the load client uses it, to watch a
 * streaming-plugin mountpoint: one session for all viewers, one plugin
 * handle per viewer (attach, watch, start with the answer, detach), and a
 * thread that long-polls the session for its events (the offers come that
 * way) and sends a keepalive every 15 s.
 *
 * The calls other than lv_janus_free() are made from one thread.
 */
#ifndef LV_JANUS_H
#define LV_JANUS_H

#include <stddef.h>
#include <stdint.h>

struct lv_janus;

/* A session on Janus at url ("http://127.0.0.1:8088/janus"), and its
 * poller; NULL with a reason in err. */
struct lv_janus *lv_janus_new(const char *url, char *err, size_t errlen);
/* Destroy the session and stop the poller. */
void lv_janus_free(struct lv_janus *j);

/* Attach a handle and watch mountpoint; on 0, *handle and *offer (the
 * SDP Janus offers, owned by the caller: free()) are set. -1 with a
 * reason in err. */
int lv_janus_watch(struct lv_janus *j, int64_t mountpoint, uint64_t *handle,
                   char **offer, char *err, size_t errlen);
/* Answer the offer: "start". 0 or -1 with a reason in err. */
int lv_janus_start(struct lv_janus *j, uint64_t handle, const char *answer,
                   char *err, size_t errlen);
/* Leave: detach the handle (Janus hangs up its PeerConnection). */
int lv_janus_detach(struct lv_janus *j, uint64_t handle);

#endif
