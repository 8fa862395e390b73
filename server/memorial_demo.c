/* memorial_demo.c — demo data for the memorial side: an agency, a
 * cemetery, a plot, a deceased with her whole timeline, a memorial and a
 * few tributes, so /m/demo is a living page on a fresh start.
 *
 * Goes through the same domain functions as the API (deceased.c, plot.c,
 * memorial.c, tribute.c), inside one transaction, so the demo obeys every
 * rule real data does. Called once from api_memorial_start() when
 * cfg.demo is set.
 */
#include "memorial_demo.h"
#include "app.h"
#include "deceased.h"
#include "err.h"
#include "log.h"
#include "memorial.h"
#include "plot.h"
#include "store.h"
#include "store_memorial.h"
#include "store_org.h"
#include "tribute.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define DEMO_AGENCY   MEMORIAL_DEMO_AGENCY
#define DEMO_CEMETERY "思念示范陵园"

static const char demo_bio[] =
    "李秀英，1936年生于山东济南，一生从教四十年，桃李满天下。"
    "她爱种花，爱唱京剧，总说“日子是一天一天过出来的”。"
    "2025年1月，她在家人的陪伴下安详离世，安葬于思念示范陵园松园。\n"
    "Li Xiuying (1936-2025) taught for forty years; she loved her garden "
    "and Peking opera, and is remembered by her family and her many "
    "students.";

static int org_id(struct app *app, enum org_kind k, const char *name,
                  int64_t *id)
{
	struct org o = {.kind = k};
	int rc =
	    store_memorial_org_by_name(app->store, k == ORG_CEMETERY, name, id);

	if (rc || *id)
		return rc;
	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.region_code, sizeof(o.region_code), "110107");
	snprintf(o.address, sizeof(o.address), "%s",
	         k == ORG_AGENCY ? "北京市石景山区示范路1号"
	                         : "北京市石景山区西山示范路8号");
	snprintf(o.phone, sizeof(o.phone), "010-00000000");
	if (k == ORG_CEMETERY) {
		o.has_geo = true;
		o.lat = 39.9567;
		o.lng = 116.1745;
	}
	return store_org_create(app->store, &o, id);
}

static int demo_deceased(struct app *app, int64_t agency, int64_t plot_id,
                         int64_t *id, struct err_detail *e)
{
	static const struct {
		enum event_kind kind;
		const char *at, *place;
	} evs[] = {
	    {EV_REGISTERED, "2025-01-08T10:00:00+08:00", DEMO_AGENCY},
	    {EV_FAREWELL, "2025-01-11T09:00:00+08:00", DEMO_AGENCY " 思念厅"},
	    {EV_CREMATED, "2025-01-11T11:30:00+08:00", DEMO_AGENCY},
	    {EV_BURIED, "2025-01-18T10:00:00+08:00", DEMO_CEMETERY " 松园"},
	};
	struct deceased d = {.gender = GENDER_FEMALE, .agency_id = agency};
	int rc;

	snprintf(d.name, sizeof(d.name), "李秀英");
	snprintf(d.birth_date, sizeof(d.birth_date), "1936-03-12");
	snprintf(d.death_date, sizeof(d.death_date), "2025-01-08");
	snprintf(d.native_place, sizeof(d.native_place), "山东济南");
	if ((rc = deceased_create(app->store, app->crypto, &d, NULL, e)))
		return rc;
	for (size_t i = 0; i < G_N_ELEMENTS(evs); i++) {
		struct deceased_event ev = {.kind = evs[i].kind};

		snprintf(ev.at, sizeof(ev.at), "%s", evs[i].at);
		snprintf(ev.place, sizeof(ev.place), "%s", evs[i].place);
		ev.plot_id = evs[i].kind == EV_BURIED ? plot_id : 0;
		if ((rc = deceased_event_add(app->store, d.id, &ev, 0, e)))
			return rc;
	}
	*id = d.id;
	return plot_assign(app->store, d.id, plot_id, e);
}

static int demo_tributes(struct app *app, int64_t memorial_id,
                         struct err_detail *e)
{
	static const struct {
		enum tribute_kind kind;
		const char *from, *text;
	} ts[] = {
	    {TRIB_FLOWER, "王老师", ""},
	    {TRIB_INCENSE, "小明", ""},
	    {TRIB_FLOWER, "Anna", ""},
	    {TRIB_CANDLE, "李家人", ""},
	    {TRIB_MESSAGE, "1988届学生",
	     "李老师，您教我们做人的道理，我们一直记得。"},
	    {TRIB_BOW, "张阿姨", ""},
	    {TRIB_MESSAGE, "外孙女", "外婆，院子里的月季今年又开了。想您。"},
	};
	struct tribute_counts c;

	for (size_t i = 0; i < G_N_ELEMENTS(ts); i++) {
		struct tribute t = {.memorial_id = memorial_id,
		                    .kind = ts[i].kind};
		int rc;

		snprintf(t.from_name, sizeof(t.from_name), "%s", ts[i].from);
		snprintf(t.text, sizeof(t.text), "%s", ts[i].text);
		if ((rc = tribute_add(app->store, app->bus, false, &t, &c, e)))
			return rc;
	}
	return 0;
}

static int demo_build(struct app *app, struct memorial *m, struct err_detail *e)
{
	struct plot p = {.kind = PLOT_GRAVE,
	                 .capacity = 1,
	                 .has_geo = true,
	                 .lat = 39.95702,
	                 .lng = 116.17468};
	int64_t agency, hall, deceased;
	int rc;

	if ((rc = org_id(app, ORG_AGENCY, DEMO_AGENCY, &agency)) ||
	    (rc = org_id(app, ORG_CEMETERY, DEMO_CEMETERY, &p.cemetery_id))) {
		return err_fail(e, rc, NULL,
		                "cannot create the demo organisations");
	}
	rc = store_org_hall_create(app->store, agency, "思念厅", &hall);
	if (rc && rc != ERR_CONFLICT)
		return rc;
	snprintf(p.section, sizeof(p.section), "松园");
	snprintf(p.row, sizeof(p.row), "3排");
	snprintf(p.number, sizeof(p.number), "12号");
	if ((rc = plot_create(app->store, &p, e)) ||
	    (rc = demo_deceased(app, agency, p.id, &deceased, e)))
		return rc;
	snprintf(m->slug, sizeof(m->slug), MEMORIAL_DEMO_SLUG);
	snprintf(m->title, sizeof(m->title), "李秀英老师纪念馆");
	snprintf(m->biography, sizeof(m->biography), "%s", demo_bio);
	m->visibility = VIS_PUBLIC;
	m->hold = false;
	m->deceased_id = deceased;
	if ((rc = memorial_create(app->store, app->crypto, m, NULL, 0, e)))
		return rc;
	return demo_tributes(app, m->id, e);
}

int memorial_demo_ensure(struct app *app, struct err_detail *e)
{
	struct memorial *m = g_new0(struct memorial, 1);
	int rc = 0;

	if (store_memorial_slug_used(app->store, MEMORIAL_DEMO_SLUG))
		goto out;
	if ((rc = store_begin(app->store)))
		goto out;
	if ((rc = demo_build(app, m, e)) || (rc = store_commit(app->store))) {
		/* The demo is a convenience: say why, and start anyway. */
		store_rollback(app->store);
		log_error("memorial", "demo memorial not created: %s",
		          e ? e->msg : "");
		rc = 0;
		goto out;
	}
	log_info("memorial", "created the demo memorial /m/%s",
	         MEMORIAL_DEMO_SLUG);
out:
	g_free(m);
	return rc;
}
