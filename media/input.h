/* input.h — the switchable input in front of the encoder.
 *
 * Holds at most one live source and an always-ready slate. Buffers of the
 * live source go to the encoder while they keep coming; when a kind
 * (video or audio) has been silent for INPUT_LOST_US the slate's buffers
 * of that kind take over, and the moment the live source delivers again
 * it is switched back with a forced key frame. The encode pipeline and
 * the viewers never notice: they see one continuous, monotonic stream
 * (buffers are restamped on arrival in encoder running time).
 * Everything here runs on the main thread except the sample callbacks.
 */
#ifndef SINIAN_INPUT_H
#define SINIAN_INPUT_H

#include "encoder.h"
#include "source.h"

#include <stdbool.h>
#include <stdint.h>

#define INPUT_LOST_US 1000000 /* no live buffer this long: slate */

struct input_events {
	/* The live source started or stopped delivering (main context). */
	void (*live_changed)(bool live, void *user_data);
	/* The encoder started or stopped passing the source's H.264
	 * through (main context, within ~200 ms). May be NULL. */
	void (*video_changed)(bool passthrough, void *user_data);
};

struct input_stats {
	uint64_t live_video, live_audio;   /* buffers forwarded */
	uint64_t passed_video;             /* H.264 units passed through */
	uint64_t slate_video, slate_audio; /* buffers forwarded */
	uint64_t dropped;                  /* refused by the encoder/timing */
	bool live;
};

struct input;

/* Create the input for enc (borrowed; must outlive the input) and start
 * its slate with slate_text (NULL: the default bilingual card). ev may be
 * NULL. Returns 0, ERR_UNAVAILABLE or ERR_INTERNAL (e filled). */
int input_new(struct encoder *enc, const char *slate_text,
              const struct input_events *ev, void *user_data,
              struct input **out, struct err_detail *e);
/* Stop both sources and free. NULL is a no-op. No callback after. */
void input_free(struct input *in);

/* Make src (ownership taken, even on error) the live source and start
 * it, replacing and freeing any previous one. 0 or ERR_INTERNAL. */
int input_set_live(struct input *in, struct source *src);
/* Stop and free the live source; the slate shows at once. */
void input_clear_live(struct input *in);
/* True while a live source is delivering. */
bool input_is_live(struct input *in);
void input_get_stats(struct input *in, struct input_stats *out);

#endif
