/* http_conns.c — the cap on open connections per client address.
 *
 * Owns the count of open connections by socket peer (shared by the lws
 * threads, under a lock), and each open connection's peer, asked of the
 * kernel once (kept by the connection's own lws thread: every call here
 * comes from an lws callback). A connection is counted when lws
 * binds it to the protocol, before a byte of its request is read, and
 * uncounted when lws destroys it, so slow or idle connections from one
 * address cannot take every socket the daemon has. Peers in the exempt set
 * (trusted proxies, which carry many clients) are not capped.
 *
 * Must never touch the main loop's state. Called by http.c.
 */
#include "http_int.h"
#include "log.h"
#include "netaddr.h"

#include <libwebsockets.h>

#include <stdint.h>

/* What is known of an open connection: its peer, asked once, and whether
 * it is counted against its address's cap. */
struct conn_peer {
	bool counted;
	char addr[64];
};

/* Keep cp as wsi's, on its thread, which counts one more connection. */
static void conn_keep(struct http_shard *sh, struct lws *wsi,
                      struct conn_peer *cp)
{
	g_hash_table_insert(sh->conn_peer, wsi, cp);
	g_atomic_int_inc(&sh->conns);
}

bool http_conns_admit(struct http_server *srv, struct lws *wsi)
{
	struct http_shard *sh = http_shard_of(wsi);
	struct conn_peer *cp;
	guint n;

	if (g_hash_table_contains(sh->conn_peer, wsi))
		return true;
	cp = g_new0(struct conn_peer, 1);
	lws_get_peer_simple(wsi, cp->addr, sizeof(cp->addr));
	if (srv->cfg.max_conns_per_addr <= 0 ||
	    netaddr_set_has(srv->cfg.conns_exempt, cp->addr)) {
		conn_keep(sh, wsi, cp);
		return true;
	}
	g_mutex_lock(&srv->conns_lock);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(srv->conns, cp->addr));
	if (n < (guint)srv->cfg.max_conns_per_addr)
		g_hash_table_replace(srv->conns, g_strdup(cp->addr),
		                     GUINT_TO_POINTER(n + 1));
	g_mutex_unlock(&srv->conns_lock);
	if (n >= (guint)srv->cfg.max_conns_per_addr) {
		if (g_atomic_int_add(&srv->conns_refused, 1) % 1000 == 0)
			log_warn("http",
			         "%s has %u connections open, the cap: "
			         "closing new ones",
			         cp->addr, n);
		g_free(cp);
		return false;
	}
	cp->counted = true;
	conn_keep(sh, wsi, cp);
	return true;
}

const char *http_conns_peer(struct lws *wsi)
{
	struct conn_peer *cp =
	    g_hash_table_lookup(http_shard_of(wsi)->conn_peer, wsi);

	return cp ? cp->addr : NULL;
}

void http_conns_leave(struct http_server *srv, struct lws *wsi)
{
	struct http_shard *sh = http_shard_of(wsi);
	struct conn_peer *cp;
	guint n;

	if (!g_hash_table_steal_extended(sh->conn_peer, wsi, NULL,
	                                 (gpointer *)&cp))
		return;
	g_atomic_int_dec_and_test(&sh->conns);
	if (cp->counted) {
		g_mutex_lock(&srv->conns_lock);
		n = GPOINTER_TO_UINT(g_hash_table_lookup(srv->conns, cp->addr));
		if (n <= 1)
			g_hash_table_remove(srv->conns, cp->addr);
		else
			g_hash_table_replace(srv->conns, g_strdup(cp->addr),
			                     GUINT_TO_POINTER(n - 1));
		g_mutex_unlock(&srv->conns_lock);
	}
	g_free(cp);
}

unsigned http_server_conns_refused(const struct http_server *srv)
{
	return (unsigned)g_atomic_int_get(&srv->conns_refused);
}
