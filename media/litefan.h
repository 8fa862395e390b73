/* litefan.h — one ceremony's viewers on the lite engine: the fan-out seam
 * (fanout.h) implemented on one shared UDP port, without per-viewer
 * GStreamer elements. fanout.c dispatches here when its config names a
 * lite engine; the contract is fanout.h's (main thread only, answer
 * callback exactly once and never from inside add).
 */
#ifndef SINIAN_LITEFAN_H
#define SINIAN_LITEFAN_H

#include "fanout.h"
#include "lite.h"

struct litefan;

/* Tap the encoder's RTP tees into rings and serve viewers through
 * engine (borrowed; must outlive the fan-out). 0, ERR_NOMEM or
 * ERR_INTERNAL (the taps do not link). */
int litefan_new(struct lite *engine, struct encoder *enc,
                const struct fanout_config *cfg, const struct fanout_events *ev,
                void *user_data, struct litefan **out);
void litefan_free(struct litefan *f);
/* As fanout_viewer_add(); also ERR_INVALID for an offer without BUNDLE
 * or rtcp-mux. */
int litefan_viewer_add(struct litefan *f, const char *offer, size_t len,
                       fanout_answer_fn cb, void *user_data,
                       char id_out[FANOUT_ID_LEN], struct err_detail *e);
int litefan_viewer_remove(struct litefan *f, const char *viewer_id);
unsigned litefan_viewer_count(struct litefan *f);
int litefan_stats(struct litefan *f, struct fanout_stats *out);

#endif
