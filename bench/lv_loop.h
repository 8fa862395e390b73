/* lv_loop.h — the load client's worker threads: each runs an epoll loop
 * over the sockets of its viewers (recvmmsg in batches) and ticks their
 * timers every 10 ms. Viewers are dealt to the workers in turn.
 */
#ifndef LV_LOOP_H
#define LV_LOOP_H

#include "lv_peer.h"

#include <stddef.h>

struct lv_loop;

/* Start nthreads workers (1..64); NULL with a reason in err. */
struct lv_loop *lv_loop_new(int nthreads, char *err, size_t errlen);
/* Hand a viewer to a worker, which begins it (lv_peer_begin). The viewer
 * must outlive the loop. 0, or -1 if the worker cannot watch its socket. */
int lv_loop_add(struct lv_loop *l, struct lv_peer *p);
/* Stop and join the workers; the viewers are left to the caller. */
void lv_loop_free(struct lv_loop *l);

#endif
