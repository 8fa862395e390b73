/* redis_glib.c — a GSource per hiredis async context.
 *
 * Owns one GSource per attached context; the main context holds the only
 * reference. hiredis tells us what it wants (read, write) through the ev
 * hooks and tells us it is done through ev.cleanup, after which the
 * context pointer is dropped and the source destroyed. Never frees the
 * context itself. Called by redis_conn.c.
 */
#include "redis_glib.h"
#include "err.h"

#include <string.h>

struct redis_gsource {
	GSource src;
	redisAsyncContext *ac; /* NULL once hiredis has cleaned up */
	GPollFD pfd;
	gboolean polling;
};

static void want(void *p, gushort bit, gboolean on)
{
	struct redis_gsource *s = p;

	if (on)
		s->pfd.events |= bit;
	else
		s->pfd.events &= (gushort)~bit;
}

static void add_read(void *p)
{
	want(p, G_IO_IN, TRUE);
}

static void del_read(void *p)
{
	want(p, G_IO_IN, FALSE);
}

static void add_write(void *p)
{
	want(p, G_IO_OUT, TRUE);
}

static void del_write(void *p)
{
	want(p, G_IO_OUT, FALSE);
}

static void cleanup(void *p)
{
	struct redis_gsource *s = p;

	if (s->ac) /* hiredis calls no hook of ours after this */
		memset(&s->ac->ev, 0, sizeof(s->ac->ev));
	s->ac = NULL;
	s->pfd.events = 0;
	if (s->polling) {
		g_source_remove_poll(&s->src, &s->pfd);
		s->polling = FALSE;
	}
	/* Safe inside our own dispatch: the main context keeps the source
	 * alive until dispatch returns, and holds the last reference. */
	g_source_destroy(&s->src);
}

static gushort ready(const struct redis_gsource *s)
{
	gushort ev = s->pfd.events, rev = s->pfd.revents;

	if (!s->ac)
		return 0;
	/* An error or hang-up is handed to whichever side hiredis waits
	 * on (reading it reports the disconnect); read if it waits on none,
	 * or poll would report the same condition forever. */
	if (rev & (G_IO_ERR | G_IO_HUP | G_IO_NVAL))
		rev |= (ev & (G_IO_IN | G_IO_OUT)) ? ev : G_IO_IN;
	return rev & (G_IO_IN | G_IO_OUT);
}

static gboolean prepare(GSource *src, gint *timeout)
{
	*timeout = -1;
	return ready((struct redis_gsource *)src) != 0;
}

static gboolean check(GSource *src)
{
	return ready((struct redis_gsource *)src) != 0;
}

static gboolean dispatch(GSource *src, GSourceFunc cb, gpointer ud)
{
	struct redis_gsource *s = (struct redis_gsource *)src;
	gushort rev = ready(s);

	s->pfd.revents = 0;
	if ((rev & G_IO_OUT) && s->ac)
		redisAsyncHandleWrite(s->ac);
	/* s->ac is NULL here if the write freed the context. */
	if ((rev & G_IO_IN) && s->ac)
		redisAsyncHandleRead(s->ac);
	return G_SOURCE_CONTINUE;
}

static void finalize(GSource *src)
{
	struct redis_gsource *s = (struct redis_gsource *)src;

	if (s->polling)
		g_source_remove_poll(src, &s->pfd);
	s->polling = FALSE;
}

static GSourceFuncs funcs = {
    .prepare = prepare,
    .check = check,
    .dispatch = dispatch,
    .finalize = finalize,
};

int redis_glib_attach(redisAsyncContext *ac, GMainContext *ctx)
{
	struct redis_gsource *s;

	if (!ac || ac->ev.data)
		return ERR_INVALID;
	s = (struct redis_gsource *)g_source_new(&funcs, sizeof(*s));
	g_source_set_name(&s->src, "redis");
	s->ac = ac;
	s->pfd.fd = ac->c.fd;
	g_source_add_poll(&s->src, &s->pfd);
	s->polling = TRUE;
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	ac->ev.data = s;
	g_source_attach(&s->src, ctx);
	g_source_unref(&s->src); /* the main context holds it now */
	return 0;
}
