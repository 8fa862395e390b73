/* live.h — live ceremonies on the daemon side: opens and closes the media
 * of a ceremony, starts its source, and turns media events into bus events
 * on topic "ceremony:{id}" ({"type":"viewers"|"source"|"state",...}).
 */
#ifndef SINIAN_LIVE_H
#define SINIAN_LIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct app;
struct ceremony;
struct media_ceremony;
struct metrics;

/* Create app->media. When GStreamer or an element is missing the daemon
 * still runs: app->media stays NULL and live_* return ERR_UNAVAILABLE. */
int live_start(struct app *app, struct err_detail *e);
void live_stop(struct app *app);

/* Take a scheduled ceremony live: open its media, start a test or RTSP
 * source (WHIP waits for the publisher), set state live, publish. */
int live_open(struct app *app, struct ceremony *c, struct err_detail *e);
/* End a live ceremony: close media, keep the recording, set state ended.
 * The media are closed whatever happens; ERR_DB if the store could not
 * record the end (logged). */
int live_close(struct app *app, struct ceremony *c);
/* Stop or restart the ceremony's own source (operator pause, tests of
 * source loss); viewers see the slate meanwhile. */
int live_source(struct app *app, const struct ceremony *c, bool on);

/* The open media ceremony, or NULL (borrowed). */
struct media_ceremony *live_find(struct app *app, int64_t ceremony_id);
/* Viewers right now (0 when not live). */
unsigned live_viewers(struct app *app, int64_t ceremony_id);
bool live_source_on(struct app *app, int64_t ceremony_id);
/* The ceremony's phase: "scheduled", "ended", or while live "waiting"
 * (no picture yet: a WHIP ceremony waits for its publisher), "live",
 * "interrupted" (the source was lost after delivering: the slate shows)
 * or "paused" (by the operator). *seq: the number of its last change
 * (0 if none), larger for newer. Static string. */
const char *live_phase(struct app *app, const struct ceremony *c,
                       uint64_t *seq);
/* True while viewers get the source's own H.264 (no re-encode). */
bool live_passthrough(struct app *app, int64_t ceremony_id);

/* {"status":"ok"|"off"|"unavailable"}; with details, an unavailable one
 * also says why: "reason", and when elements are missing, "missing" (their
 * names) and "install" (the apt-get command). New reference; NULL when out
 * of memory. */
json_t *live_health_json(const struct app *app, bool details);
/* Media counters into m (nothing when media is not running). */
void live_metrics(struct app *app, struct metrics *m);

/* Cut a WHEP viewer (its right to watch is gone): the media engine drops
 * it, presence forgets it. ERR_NOT_FOUND when it is not there. */
int live_viewer_remove(struct app *app, int64_t ceremony_id,
                       const char *viewer_id);

/* Publish {"type":...} JSON text on ceremony:{id}. */
void live_publish(struct app *app, int64_t ceremony_id, const char *json);

/* Reopen ceremonies left live by a previous run (after a crash). */
void live_resume(struct app *app);

#endif
