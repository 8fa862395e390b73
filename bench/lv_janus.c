/* lv_janus.c — watching a Janus streaming mountpoint over its HTTP API.
 *
 * Owns: the Janus session, the poller thread and the offers it has
 * received but nobody has taken yet. Must never: let the session time out
 * while viewers watch, or leave events unread in Janus (they would pile up
 * in its memory and skew its RSS). Called by lviewers.c.
 *
 * Requests and their answers (the HTTP API of the Janus core):
 *   POST /janus {"janus":"create"} → success, data.id = session
 *   POST /janus/S {"janus":"attach","plugin":"janus.plugin.streaming"}
 *                                       → success, data.id = handle
 *   POST /janus/S/H {"janus":"message","body":{"request":"watch",...}} → ack,
 *        then an event from H with jsep {type: offer} on the long poll
 *   POST /janus/S/H {"janus":"message","body":{"request":"start"},
 *                    "jsep":{"type":"answer","sdp":...}} → ack
 *   POST /janus/S/H {"janus":"detach"}, POST /janus/S {"janus":"keepalive"}
 *   GET  /janus/S?maxev=N → up to N events (an array), after at most 30 s
 */
#include "lv_janus.h"

#include "lv_http.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REQ_TIMEOUT_MS  15000
#define POLL_TIMEOUT_MS 45000 /* Janus answers a long poll within 30 s */
#define OFFER_WAIT_S    15
#define KEEPALIVE_S     15
#define MAX_PENDING     256

struct pending {
	uint64_t handle;
	char *sdp;   /* an offer, or NULL */
	char *error; /* the plugin's error, or NULL */
};

struct lv_janus {
	char url[256], session_url[300];
	uint64_t session;
	CURL *c; /* the caller's thread */
	pthread_t poller;
	bool polling;
	atomic_bool stop;
	pthread_mutex_t m;
	pthread_cond_t cv;
	struct pending pending[MAX_PENDING];
	int npending;
	unsigned txn;
};

/* POST a JSON request; the parsed answer, or NULL with err set. */
static json_t *post(CURL *c, const char *url, json_t *req, char *err,
                    size_t errlen)
{
	char *text = json_dumps(req, JSON_COMPACT);
	struct lv_http_res r;
	json_t *ans = NULL;

	json_decref(req);
	if (!text || lv_http(c, "POST", url, "application/json", text, NULL,
	                     REQ_TIMEOUT_MS, NULL, &r)) {
		snprintf(err, errlen, "POST %s: no answer", url);
		free(text);
		return NULL;
	}
	if (r.status != 200 || !(ans = json_loads(r.body, 0, NULL)))
		snprintf(err, errlen, "POST %s: %ld %.200s", url, r.status,
		         r.body);
	lv_http_res_clear(&r);
	free(text);
	return ans;
}

static json_t *request(struct lv_janus *j, const char *url, json_t *req,
                       const char *want, char *err, size_t errlen)
{
	char txn[32];
	json_t *ans;
	const char *kind;

	snprintf(txn, sizeof(txn), "lv%u", ++j->txn);
	json_object_set_new(req, "transaction", json_string(txn));
	if (!(ans = post(j->c, url, req, err, errlen)))
		return NULL;
	kind = json_string_value(json_object_get(ans, "janus"));
	if (!kind || strcmp(kind, want)) {
		json_t *e = json_object_get(ans, "error");

		snprintf(
		    err, errlen, "Janus answered %s: %s", kind ? kind : "?",
		    e ? json_string_value(json_object_get(e, "reason")) : "");
		json_decref(ans);
		return NULL;
	}
	return ans;
}

static uint64_t data_id(json_t *ans)
{
	return (uint64_t)json_integer_value(
	    json_object_get(json_object_get(ans, "data"), "id"));
}

/* One event from the long poll: keep offers and errors for lv_janus_watch. */
static void on_event(struct lv_janus *j, json_t *ev)
{
	uint64_t sender =
	    (uint64_t)json_integer_value(json_object_get(ev, "sender"));
	json_t *jsep = json_object_get(ev, "jsep");
	json_t *data =
	    json_object_get(json_object_get(ev, "plugindata"), "data");
	const char *type = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	const char *error = json_string_value(json_object_get(data, "error"));

	if (!sender || (!(type && !strcmp(type, "offer") && sdp) && !error))
		return;
	pthread_mutex_lock(&j->m);
	if (j->npending < MAX_PENDING) {
		struct pending *p = &j->pending[j->npending++];

		p->handle = sender;
		p->sdp = sdp && !error ? strdup(sdp) : NULL;
		p->error = error ? strdup(error) : NULL;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->m);
}

static void keepalive(struct lv_janus *j, CURL *c, time_t *last)
{
	char err[256];
	json_t *req;

	if (time(NULL) - *last < KEEPALIVE_S)
		return;
	req = json_pack("{s:s,s:s}", "janus", "keepalive", "transaction", "ka");
	json_decref(post(c, j->session_url, req, err, sizeof(err)));
	*last = time(NULL);
}

static void *poll_events(void *arg)
{
	struct lv_janus *j = arg;
	CURL *c = curl_easy_init();
	char url[340];
	time_t last = time(NULL);

	snprintf(url, sizeof(url), "%s?maxev=64", j->session_url);
	while (c && !atomic_load(&j->stop)) {
		struct lv_http_res r;
		json_t *evs;
		size_t i;
		json_t *ev;

		if (lv_http(c, "GET", url, NULL, NULL, NULL, POLL_TIMEOUT_MS,
		            &j->stop, &r)) {
			struct timespec pause = {0, 100000000};

			nanosleep(&pause, NULL);
			continue;
		}
		evs = json_loads(r.body, 0, NULL);
		lv_http_res_clear(&r);
		if (json_is_array(evs))
			json_array_foreach(evs, i, ev) on_event(j, ev);
		else if (json_is_object(evs))
			on_event(j, evs);
		json_decref(evs);
		keepalive(j, c, &last);
	}
	curl_easy_cleanup(c);
	return NULL;
}

struct lv_janus *lv_janus_new(const char *url, char *err, size_t errlen)
{
	struct lv_janus *j = calloc(1, sizeof(*j));
	json_t *ans;

	if (!j || !(j->c = curl_easy_init())) {
		snprintf(err, errlen, "out of memory");
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->m, NULL);
	pthread_cond_init(&j->cv, NULL);
	snprintf(j->url, sizeof(j->url), "%s", url);
	ans = request(j, j->url, json_pack("{s:s}", "janus", "create"),
	              "success", err, errlen);
	if (!ans)
		goto fail;
	j->session = data_id(ans);
	json_decref(ans);
	snprintf(j->session_url, sizeof(j->session_url), "%s/%llu", j->url,
	         (unsigned long long)j->session);
	if (pthread_create(&j->poller, NULL, poll_events, j)) {
		snprintf(err, errlen, "cannot start the poller");
		goto fail;
	}
	j->polling = true;
	return j;
fail:
	lv_janus_free(j);
	return NULL;
}

void lv_janus_free(struct lv_janus *j)
{
	char err[256];

	if (!j)
		return;
	atomic_store(&j->stop, true);
	if (j->polling)
		pthread_join(j->poller, NULL);
	if (j->session)
		json_decref(request(j, j->session_url,
		                    json_pack("{s:s}", "janus", "destroy"),
		                    "success", err, sizeof(err)));
	for (int i = 0; i < j->npending; i++) {
		free(j->pending[i].sdp);
		free(j->pending[i].error);
	}
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->m);
	curl_easy_cleanup(j->c);
	free(j);
}

/* Wait for the poller to bring the offer (or an error) of handle. */
static int wait_offer(struct lv_janus *j, uint64_t handle, char **offer,
                      char *err, size_t errlen)
{
	struct timespec until;
	int rc = -1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += OFFER_WAIT_S;
	pthread_mutex_lock(&j->m);
	for (;;) {
		for (int i = 0; i < j->npending; i++) {
			struct pending *p = &j->pending[i];

			if (p->handle != handle)
				continue;
			*offer = p->sdp;
			if (p->error)
				snprintf(err, errlen, "watch: %s", p->error);
			rc = p->sdp ? 0 : -1;
			free(p->error);
			j->pending[i] = j->pending[--j->npending];
			goto out;
		}
		if (pthread_cond_timedwait(&j->cv, &j->m, &until)) {
			snprintf(err, errlen, "no offer from Janus in %d s",
			         OFFER_WAIT_S);
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&j->m);
	return rc;
}

int lv_janus_watch(struct lv_janus *j, int64_t mountpoint, uint64_t *handle,
                   char **offer, char *err, size_t errlen)
{
	char url[340];
	json_t *ans;

	*offer = NULL;
	ans = request(j, j->session_url,
	              json_pack("{s:s,s:s}", "janus", "attach", "plugin",
	                        "janus.plugin.streaming"),
	              "success", err, errlen);
	if (!ans)
		return -1;
	*handle = data_id(ans);
	json_decref(ans);
	snprintf(url, sizeof(url), "%s/%llu", j->session_url,
	         (unsigned long long)*handle);
	ans =
	    request(j, url,
	            json_pack("{s:s,s:{s:s,s:I}}", "janus", "message", "body",
	                      "request", "watch", "id", (json_int_t)mountpoint),
	            "ack", err, errlen);
	if (!ans)
		return -1;
	json_decref(ans);
	return wait_offer(j, *handle, offer, err, errlen);
}

int lv_janus_start(struct lv_janus *j, uint64_t handle, const char *answer,
                   char *err, size_t errlen)
{
	char url[340];
	json_t *ans;

	snprintf(url, sizeof(url), "%s/%llu", j->session_url,
	         (unsigned long long)handle);
	ans = request(j, url,
	              json_pack("{s:s,s:{s:s},s:{s:s,s:s}}", "janus", "message",
	                        "body", "request", "start", "jsep", "type",
	                        "answer", "sdp", answer),
	              "ack", err, errlen);
	json_decref(ans);
	return ans ? 0 : -1;
}

int lv_janus_detach(struct lv_janus *j, uint64_t handle)
{
	char url[340], err[256];
	json_t *ans;

	snprintf(url, sizeof(url), "%s/%llu", j->session_url,
	         (unsigned long long)handle);
	ans = request(j, url, json_pack("{s:s}", "janus", "detach"), "success",
	              err, sizeof(err));
	json_decref(ans);
	return ans ? 0 : -1;
}
