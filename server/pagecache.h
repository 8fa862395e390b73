/* pagecache.h — memorial pages kept ready in memory, each until its
 * memorial changes.
 *
 * A page is the JSON of GET /api/memorials/{id} for an anonymous visitor,
 * rendered in two parts by the caller's renderer: the memorial's own part
 * (the memorial, its deceased, the burial, the photos; with the facts its
 * rights are checked against) and its live part (counts, latest messages
 * and tributes). Each memorial kept follows the bus topic "memorial:{id}":
 * a tribute event (tribute, message_approved, message_hidden) drops the
 * live part, any other event both; any message on "pagecache:all" drops
 * every page, and so does bus_missed(). With Redis those topics carry the
 * changes of every node; a page is kept only when rendered while its
 * topics are live (bus_topic_live), so nothing published after its reads
 * can be missed. The facts of a memorial (what its rights are checked
 * against) are kept with its page, or alone for a memorial whose page is
 * not asked for (tributes), and dropped with its own part.
 *
 * Pages are immutable and reference-counted: pagecache_peek*() may be
 * called from any thread; everything else on the main loop only. Never
 * checks rights: callers check the page's facts before answering.
 */
#ifndef SINIAN_PAGECACHE_H
#define SINIAN_PAGECACHE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "textlimit.h"

struct bus;
struct metrics;
struct pagecache;

/* The topic that drops every page (with any message). */
#define PAGECACHE_ALL_TOPIC "pagecache:all"

/* What rights are checked against, the slug the page is found by, and
 * what a tribute needs of its memorial (its moderation, its title). */
struct pagecache_facts {
	struct access_obj obj;
	bool hold; /* messages wait for approval */
	char slug[80];
	char title[TEXT_BUF(MEMORIAL_TITLE_MAX)];
};

struct pagecache_render {
	void *ud;
	/* Append the memorial's own members ("memorial":{...},...: no
	 * braces) to out and fill f. 0, ERR_NOT_FOUND or an ERR_*. */
	int (*head)(void *ud, int64_t id, struct pagecache_facts *f,
	            GString *out);
	/* Append the live members (counts, messages, recent). 0 or ERR_*. */
	int (*live)(void *ud, int64_t id, GString *out);
	/* The "viewer" member's value for an anonymous visitor. */
	const char *anon_viewer;
	/* Fill f alone (what head fills, without rendering anything). 0,
	 * ERR_NOT_FOUND or an ERR_*. */
	int (*facts)(void *ud, int64_t id, struct pagecache_facts *f);
};

/* A rendered page. body is the whole JSON for an anonymous visitor; its
 * first shared_len bytes are the members every visitor shares, before
 * ,"viewer":. hash identifies the shared part (for ETags). */
struct pagecache_page {
	gint ref;
	int64_t id;
	struct pagecache_facts f;
	GBytes *body;
	size_t shared_len;
	uint64_t hash;
	gint hot; /* used since the last eviction sweep (pagecache.c) */
};

struct pagecache_stats {
	uint64_t hits, misses, renders, drops;
	size_t pages, bytes;
};

/* A cache of at most max_bytes (0: keep nothing, render every time). The
 * renderer is copied; bus is borrowed and must outlive the cache. NULL on
 * allocation failure. */
struct pagecache *pagecache_new(struct bus *bus, size_t max_bytes,
                                const struct pagecache_render *r);
/* Unsubscribe and free; pages still referenced live on. NULL is a no-op. */
void pagecache_free(struct pagecache *pc);

/* The page of memorial id, kept or rendered now (and kept if it may be).
 * 0 and a new reference in *out, or the renderer's error. Main loop. */
int pagecache_get(struct pagecache *pc, int64_t id,
                  struct pagecache_page **out);
/* The facts of memorial id: kept (with its page, or alone), or read now
 * with the renderer's facts() and kept if they may be, under the same
 * rule as pages. 0, or the renderer's error. Main loop. */
int pagecache_facts(struct pagecache *pc, int64_t id,
                    struct pagecache_facts *out);
/* The memorial id of a kept page with this slug, or 0. Main loop. */
int64_t pagecache_slug_id(struct pagecache *pc, const char *slug);

/* A kept page (a new reference), or NULL; renders nothing. Any thread. */
struct pagecache_page *pagecache_peek(struct pagecache *pc, int64_t id);
struct pagecache_page *pagecache_peek_slug(struct pagecache *pc,
                                           const char *slug);

void pagecache_page_unref(struct pagecache_page *p);

/* The memorial changed: drop its live part, or the whole page (whole);
 * id 0 drops every page. For changes made on this node, before other
 * nodes hear of them through the bus. Main loop. */
void pagecache_drop(struct pagecache *pc, int64_t id, bool whole);

void pagecache_stats(struct pagecache *pc, struct pagecache_stats *out);
/* Set sinian_pagecache_* in m (nothing when pc is NULL). */
void pagecache_metrics(struct pagecache *pc, struct metrics *m);

/* 64-bit FNV-1a of len bytes, continuing from h (start with 0). */
uint64_t pagecache_hash(uint64_t h, const void *data, size_t len);

#endif
