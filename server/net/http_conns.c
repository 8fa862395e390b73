/* http_conns.c — the cap on open connections per client address.
 *
 * Owns the count of open connections by socket peer (lws thread only: every
 * call here comes from the lws callback). A connection is counted when lws
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

bool http_conns_admit(struct http_server *srv, struct lws *wsi)
{
	char peer[64];
	guint n;

	if (srv->cfg.max_conns_per_addr <= 0 ||
	    g_hash_table_contains(srv->conn_peer, wsi))
		return true;
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	if (netaddr_set_has(srv->cfg.conns_exempt, peer))
		return true;
	n = GPOINTER_TO_UINT(g_hash_table_lookup(srv->conns, peer));
	if (n >= (guint)srv->cfg.max_conns_per_addr) {
		if (g_atomic_int_add(&srv->conns_refused, 1) % 1000 == 0)
			log_warn("http",
			         "%s has %u connections open, the cap: "
			         "closing new ones",
			         peer, n);
		return false;
	}
	g_hash_table_replace(srv->conns, g_strdup(peer),
	                     GUINT_TO_POINTER(n + 1));
	g_hash_table_insert(srv->conn_peer, wsi, g_strdup(peer));
	return true;
}

void http_conns_leave(struct http_server *srv, struct lws *wsi)
{
	char *peer;
	guint n;

	if (!g_hash_table_steal_extended(srv->conn_peer, wsi, NULL,
	                                 (gpointer *)&peer))
		return;
	n = GPOINTER_TO_UINT(g_hash_table_lookup(srv->conns, peer));
	if (n <= 1)
		g_hash_table_remove(srv->conns, peer);
	else
		g_hash_table_replace(srv->conns, g_strdup(peer),
		                     GUINT_TO_POINTER(n - 1));
	g_free(peer);
}

unsigned http_server_conns_refused(const struct http_server *srv)
{
	return (unsigned)g_atomic_int_get(&srv->conns_refused);
}
