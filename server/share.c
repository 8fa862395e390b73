/* share.c — share cards drawn with cairo and Pango (Noto CJK from
 * fonts-noto-cjk), the portrait decoded with gdk-pixbuf, and a small cache
 * of the PNGs by object.
 *
 * Owns the layout of the card and the cache. Must never decide what may be
 * shown: the caller leaves out the name and portrait of what is private.
 * Called by api_share.c; share_card_render() runs on its worker thread.
 */
#include "share.h"
#include "draw.h"

#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <string.h>

/* The page's palette (web/css/sinian.css). */
#define PAPER      0.969, 0.957, 0.933 /* #f7f4ee */
#define PAPER_DEEP 0.937, 0.914, 0.875 /* #efe9df */
#define INK        0.137, 0.125, 0.110 /* #23201c */
#define INK_SOFT   0.290, 0.271, 0.239 /* #4a453d */
#define ACCENT     0.176, 0.400, 0.329 /* #2d6654 */
#define GOLD_LINE  0.788, 0.690, 0.478 /* #c9b07a */

#define SERIF "Noto Serif CJK SC"
#define SANS  "Noto Sans CJK SC"

/* Portrait frame: 3:4 on the left. */
#define PX 84
#define PY 84
#define PW 348
#define PH 462
#define TX 500 /* text column */
#define TW (SHARE_CARD_W - TX - 84)

void share_card_key(const struct share_card *c, char key[65])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	const char *parts[] = {"card/2", c->name, c->dates,
	                       c->title, c->line, c->portrait_id};

	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		g_checksum_update(ck, (const guchar *)parts[i],
		                  (gssize)strlen(parts[i]) + 1); /* with NUL */
	g_strlcpy(key, g_checksum_get_string(ck), 65);
	g_checksum_free(ck);
}

/* One paragraph of text at (x, y) within width w, at most lines lines
 * (ellipsised); returns its height in pixels. */
static int text_block(cairo_t *cr, const char *text, const char *font,
                      int size_px, double x, double y, int w, int lines)
{
	PangoLayout *l;
	PangoFontDescription *fd;
	int width, height;

	if (!text || !*text)
		return 0;
	l = pango_cairo_create_layout(cr);
	fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, size_px * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, w * PANGO_SCALE);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_height(l, -lines);
	pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	pango_layout_set_text(l, text, -1);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
	pango_layout_get_pixel_size(l, &width, &height);
	pango_font_description_free(fd);
	g_object_unref(l);
	return height;
}

/* A pixbuf as a cairo surface (premultiplied native-endian ARGB). */
static cairo_surface_t *pixbuf_surface(GdkPixbuf *pb)
{
	int w = gdk_pixbuf_get_width(pb), h = gdk_pixbuf_get_height(pb);
	int n = gdk_pixbuf_get_n_channels(pb);
	int sstride = gdk_pixbuf_get_rowstride(pb);
	const guchar *src = gdk_pixbuf_read_pixels(pb);
	cairo_surface_t *s =
	    cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	int dstride = cairo_image_surface_get_stride(s);
	unsigned char *dst = cairo_image_surface_get_data(s);

	if (!dst || n < 3)
		return s;
	cairo_surface_flush(s);
	for (int y = 0; y < h; y++) {
		const guchar *p = src + (size_t)y * sstride;
		uint32_t *q = (uint32_t *)(dst + (size_t)y * dstride);

		for (int x = 0; x < w; x++, p += n) {
			uint32_t a = n == 4 ? p[3] : 255;

			q[x] = a << 24 | (p[0] * a / 255) << 16 |
			       (p[1] * a / 255) << 8 | (p[2] * a / 255);
		}
	}
	cairo_surface_mark_dirty(s);
	return s;
}

/* The portrait, cropped to fill the frame; false when it cannot be read. */
static bool draw_portrait(cairo_t *cr, const char *path)
{
	cairo_surface_t *img;
	GdkPixbuf *pb;
	double sx, sy, s;
	int w, h;

	if (!path || !*path)
		return false;
	pb =
	    gdk_pixbuf_new_from_file_at_scale(path, PW * 2, PH * 2, TRUE, NULL);
	if (!pb)
		return false;
	w = gdk_pixbuf_get_width(pb);
	h = gdk_pixbuf_get_height(pb);
	sx = (double)PW / w;
	sy = (double)PH / h;
	s = sx > sy ? sx : sy; /* cover the frame */
	cairo_save(cr);
	cairo_rectangle(cr, PX, PY, PW, PH);
	cairo_clip(cr);
	cairo_translate(cr, PX + (PW - w * s) / 2, PY + (PH - h * s) / 2);
	cairo_scale(cr, s, s);
	img = pixbuf_surface(pb);
	cairo_set_source_surface(cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
	cairo_paint(cr);
	cairo_restore(cr);
	cairo_surface_destroy(img);
	g_object_unref(pb);
	return true;
}

/* No portrait: a quiet panel with the first character of the name. */
static void draw_placeholder(cairo_t *cr, const char *name)
{
	char first[8] = "";

	cairo_set_source_rgb(cr, PAPER_DEEP);
	cairo_rectangle(cr, PX, PY, PW, PH);
	cairo_fill(cr);
	if (name && *name) {
		const char *next = g_utf8_next_char(name);

		g_strlcpy(first, name, (size_t)(next - name) + 1);
	}
	cairo_set_source_rgb(cr, INK_SOFT);
	text_block(cr, first[0] ? first : "念", SERIF, 150, PX + PW / 2 - 75,
	           PY + PH / 2 - 110, 160, 1);
}

static void draw_frame(cairo_t *cr)
{
	cairo_set_source_rgb(cr, GOLD_LINE);
	cairo_set_line_width(cr, 3);
	cairo_rectangle(cr, PX - 10, PY - 10, PW + 20, PH + 20);
	cairo_stroke(cr);
}

static void draw_brand(cairo_t *cr)
{
	cairo_set_source_rgb(cr, ACCENT);
	cairo_rectangle(cr, 0, SHARE_CARD_H - 12, SHARE_CARD_W, 12);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, INK_SOFT);
	text_block(cr, "思念 · sinian", SERIF, 26, TX, SHARE_CARD_H - 76, TW,
	           1);
}

/* The memorial or ceremony card. */
static void draw_person(cairo_t *cr, const struct share_card *c)
{
	double y = 110;

	if (!draw_portrait(cr, c->portrait))
		draw_placeholder(cr, c->name);
	draw_frame(cr);
	cairo_set_source_rgb(cr, INK);
	y += text_block(cr, c->name, SERIF " Bold", 84, TX, y, TW, 2) + 16;
	cairo_set_source_rgb(cr, INK_SOFT);
	if (c->dates[0])
		y += text_block(cr, c->dates, SANS, 34, TX, y, TW, 1) + 40;
	cairo_set_source_rgb(cr, GOLD_LINE);
	cairo_rectangle(cr, TX, y - 20, 96, 3);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, INK);
	y += text_block(cr, c->title, SERIF, 34, TX, y, TW, 2) + 12;
	cairo_set_source_rgb(cr, ACCENT);
	text_block(cr, c->line, SANS, 28, TX, y, TW, 2);
}

/* The site's own card: nothing of anyone. */
static void draw_site(cairo_t *cr, const struct share_card *c)
{
	cairo_set_source_rgb(cr, INK);
	text_block(cr, "思念", SERIF " Bold", 150, 84, 150, SHARE_CARD_W - 168,
	           1);
	cairo_set_source_rgb(cr, INK_SOFT);
	text_block(cr, c->title[0] ? c->title : "在线纪念 · 远程告别", SERIF,
	           44, 88, 350, SHARE_CARD_W - 168, 2);
	cairo_set_source_rgb(cr, ACCENT);
	cairo_rectangle(cr, 0, SHARE_CARD_H - 12, SHARE_CARD_W, 12);
	cairo_fill(cr);
}

int share_card_render(const struct share_card *c, uint8_t **png, size_t *len)
{
	cairo_surface_t *s = cairo_image_surface_create(
	    CAIRO_FORMAT_RGB24, SHARE_CARD_W, SHARE_CARD_H);
	cairo_t *cr = cairo_create(s);

	cairo_set_source_rgb(cr, PAPER);
	cairo_paint(cr);
	if (c->name[0])
		draw_person(cr, c);
	else
		draw_site(cr, c);
	draw_brand(cr);
	return draw_png_finish(cr, s, png, len);
}

/* ---------- the cache ---------- */

struct cached {
	char key[65];
	GBytes *png;
};

struct share_cache {
	GHashTable *by_obj; /* "m:42" → struct cached */
	GQueue order;       /* object names, oldest first (owned by by_obj) */
	unsigned max;
};

static void cached_free(gpointer p)
{
	struct cached *c = p;

	g_bytes_unref(c->png);
	g_free(c);
}

struct share_cache *share_cache_new(unsigned max_entries)
{
	struct share_cache *sc = g_new0(struct share_cache, 1);

	sc->by_obj =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cached_free);
	g_queue_init(&sc->order);
	sc->max = max_entries ? max_entries : 1;
	return sc;
}

void share_cache_free(struct share_cache *sc)
{
	if (!sc)
		return;
	g_queue_clear(&sc->order);
	g_hash_table_destroy(sc->by_obj);
	g_free(sc);
}

void share_cache_drop(struct share_cache *sc, const char *obj)
{
	gpointer name;

	if (!g_hash_table_lookup_extended(sc->by_obj, obj, &name, NULL))
		return;
	g_queue_remove(&sc->order, name);
	g_hash_table_remove(sc->by_obj, obj);
}

GBytes *share_cache_get(struct share_cache *sc, const char *obj,
                        const char *key)
{
	struct cached *c = g_hash_table_lookup(sc->by_obj, obj);

	if (!c)
		return NULL;
	if (strcmp(c->key, key) != 0) {
		share_cache_drop(sc, obj); /* the memorial changed */
		return NULL;
	}
	return g_bytes_ref(c->png);
}

void share_cache_put(struct share_cache *sc, const char *obj, const char *key,
                     GBytes *png)
{
	struct cached *c = g_new0(struct cached, 1);
	char *name = g_strdup(obj);

	share_cache_drop(sc, obj);
	while (g_queue_get_length(&sc->order) >= sc->max)
		g_hash_table_remove(sc->by_obj, g_queue_pop_head(&sc->order));
	g_strlcpy(c->key, key, sizeof(c->key));
	c->png = g_bytes_ref(png);
	g_hash_table_insert(sc->by_obj, name, c);
	g_queue_push_tail(&sc->order, name);
}
