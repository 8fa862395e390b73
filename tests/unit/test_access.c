/* test_access.c — the one access table: every action tried by every kind of
 * actor (anonymous, mourner, each scoped role in its own scope and in
 * another, admin), visibility and invite tokens, scope edge cases, role and
 * action names, the HTTP mapping, the audit row, and that docs/access.md
 * holds exactly the table the code prints. */
#include "access.h"
#include "app.h"
#include "err.h"
#include "http.h"
#include "store.h"
#include "store_user.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SINIAN_SOURCE_DIR
#define SINIAN_SOURCE_DIR "."
#endif

/* The actors of the matrix, all around one object: agency 1, cemetery 1,
 * memorial 1, owned by the mourner (user 10). */
enum who {
	ANON,
	MOURNER, /* signed in, owns the object */
	OTHER,   /* signed in, owns nothing */
	OP1,     /* agency operator of agency 1 */
	OP2,     /* agency operator of agency 2 */
	STAFF1,  /* cemetery staff of cemetery 1 */
	STAFF2,
	FAM1, /* family admin of memorial 1 */
	FAM2,
	GUEST1, /* memorial guest of memorial 1 */
	ADMIN,
	N_WHO
};

static const char *const who_names[N_WHO] = {
    "anonymous", "mourner", "other", "op1",    "op2",  "staff1",
    "staff2",    "fam1",    "fam2",  "guest1", "admin"};

static struct actor actors[N_WHO];

static void grant(struct actor *a, enum role r, int64_t scope)
{
	a->grants[a->n_grants].role = r;
	a->grants[a->n_grants].scope_id = scope;
	a->n_grants++;
}

static void make_actors(void)
{
	memset(actors, 0, sizeof(actors));
	for (int i = MOURNER; i < N_WHO; i++)
		actors[i].user_id = 10 + i - MOURNER;
	grant(&actors[OP1], ROLE_AGENCY_OPERATOR, 1);
	grant(&actors[OP2], ROLE_AGENCY_OPERATOR, 2);
	grant(&actors[STAFF1], ROLE_CEMETERY_STAFF, 1);
	grant(&actors[STAFF2], ROLE_CEMETERY_STAFF, 2);
	grant(&actors[FAM1], ROLE_FAMILY_ADMIN, 1);
	grant(&actors[FAM2], ROLE_FAMILY_ADMIN, 2);
	grant(&actors[GUEST1], ROLE_MEMORIAL_GUEST, 1);
	grant(&actors[ADMIN], ROLE_ADMIN, 0);
}

static struct access_obj the_obj(void)
{
	return (struct access_obj){.id = 5,
	                           .agency_id = 1,
	                           .cemetery_id = 1,
	                           .memorial_id = 1,
	                           .owner_id = actors[MOURNER].user_id,
	                           .visibility = VIS_PRIVATE,
	                           .invite_ok = false};
}

/* Expected outcome per actor, in enum who order: y allowed, U 401 (sign in
 * first), F 403. The object is private and no invite is shown. This is the
 * policy of docs/access.md written out by hand. Columns of `want`:
 * ANON MOURNER OTHER OP1 OP2 STAFF1 STAFF2 FAM1 FAM2 GUEST1 ADMIN. */
static const struct {
	enum access_action act;
	const char *name;
	const char *want;
} matrix[] = {
    {ACT_ORG_CREATE, "org.create", "UFFFFFFFFFy"},
    {ACT_AGENCY_EDIT, "agency.edit", "UFFyFFFFFFy"},
    {ACT_CEMETERY_EDIT, "cemetery.edit", "UFFFFyFFFFy"},
    {ACT_USER_LIST, "user.list", "UFFFFFFFFFy"},
    {ACT_ROLE_GRANT_STAFF, "role.grant", "UFFFFFFFFFy"},
    {ACT_STAFF_MANAGE, "staff.manage", "UFFyFFFFFFy"},
    {ACT_PII_VIEW, "pii.view", "UFFyFyFFFFy"},
    {ACT_DECEASED_CREATE, "deceased.create", "UFFyFFFFFFy"},
    {ACT_DECEASED_VIEW, "deceased.view", "UFFyFyFyFFy"},
    {ACT_DECEASED_EDIT, "deceased.edit", "UFFyFyFFFFy"},
    {ACT_BURIAL_LINK, "burial.link", "UFFFFyFFFFy"},
    {ACT_TRANSFER_START, "transfer.start", "UFFyFyFFFFy"},
    {ACT_TRANSFER_DECIDE, "transfer.decide", "UFFFFyFFFFy"},
    {ACT_DECEASED_EXCHANGE, "deceased.exchange", "UFFyFFFFFFy"},
    {ACT_PLOT_EDIT, "plot.edit", "UFFFFyFFFFy"},
    {ACT_MEMORIAL_CREATE, "memorial.create", "Uyyyyyyyyyy"},
    {ACT_MEMORIAL_VIEW, "memorial.view", "UFFyFFFyFyy"},
    {ACT_MEMORIAL_EDIT, "memorial.edit", "UFFFFFFyFFy"},
    {ACT_MEMORIAL_MODERATE, "memorial.moderate", "UFFFFFFyFFy"},
    {ACT_FAMILY_GRANT, "memorial.grant", "UFFyFFFyFFy"},
    {ACT_SLOT_MANAGE, "slot.manage", "UFFFFyFFFFy"},
    {ACT_BOOKING_CREATE, "booking.create", "Uyyyyyyyyyy"},
    {ACT_BOOKING_VIEW, "booking.view", "UyFFFyFFFFy"},
    {ACT_ORDER_CREATE, "order.create", "Uyyyyyyyyyy"},
    {ACT_ORDER_FAMILY, "order.family", "UyFFFFFFFFy"},
    {ACT_ORDER_STAFF, "order.staff", "UFFFFyFFFFy"},
    {ACT_CEREMONY_MANAGE, "ceremony.manage", "UFFyFFFFFFy"},
    {ACT_CEREMONY_WATCH, "ceremony.watch", "UFFyFFFyFFy"},
    {ACT_COMPLAINT_SEND, "complaint.send", "yyyyyyyyyyy"},
    {ACT_COMPLAINT_READ, "complaint.read", "UyFyFyFFFFy"},
    {ACT_COMPLAINT_ANSWER, "complaint.answer", "UFFyFyFFFFy"},
    {ACT_GRAVE_ASK, "grave.ask", "UFFFFFFyFFy"},
    {ACT_GRAVE_DECIDE, "grave.decide", "UFFFFyFFFFy"},
};

static int want_rc(char c)
{
	return c == 'y' ? 0 : c == 'U' ? ERR_UNAUTHORIZED : ERR_FORBIDDEN;
}

static char got_char(int rc)
{
	return rc == 0                  ? 'y'
	       : rc == ERR_UNAUTHORIZED ? 'U'
	       : rc == ERR_FORBIDDEN    ? 'F'
	                                : '?';
}

START_TEST(matrix_covers_every_action)
{
	bool seen[ACT_COUNT] = {false};

	ck_assert_uint_eq(G_N_ELEMENTS(matrix), ACT_COUNT);
	for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
		ck_assert_int_lt(matrix[i].act, ACT_COUNT);
		ck_assert(!seen[matrix[i].act]);
		seen[matrix[i].act] = true;
		ck_assert_uint_eq(strlen(matrix[i].want), N_WHO);
		ck_assert_str_eq(access_action_name(matrix[i].act),
		                 matrix[i].name);
	}
}
END_TEST

START_TEST(matrix_private_object)
{
	struct access_obj obj;
	GString *diff = g_string_new(NULL);

	make_actors();
	obj = the_obj();
	for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
		char got[N_WHO + 1];

		for (int w = 0; w < N_WHO; w++)
			got[w] = got_char(
			    access_check(&actors[w], matrix[i].act, &obj));
		got[N_WHO] = '\0';
		if (strcmp(got, matrix[i].want))
			g_string_append_printf(diff, "%-18s want %s got %s\n",
			                       matrix[i].name, matrix[i].want,
			                       got);
	}
	ck_assert_msg(diff->len == 0,
	              "columns: anon mourner other op1 op2 st1 st2 fam1 "
	              "fam2 guest1 admin\n%s",
	              diff->str);
	g_string_free(diff, TRUE);
}
END_TEST

/* Public and unlisted objects: W_VISIBLE actions open to everyone, all
 * others unchanged. */
START_TEST(visibility)
{
	static const enum obj_visibility vis[] = {VIS_PUBLIC, VIS_UNLISTED};

	make_actors();
	for (size_t v = 0; v < G_N_ELEMENTS(vis); v++) {
		struct access_obj obj = the_obj();

		obj.visibility = vis[v];
		for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
			bool open = matrix[i].act == ACT_MEMORIAL_VIEW ||
			            matrix[i].act == ACT_CEREMONY_WATCH;

			for (int w = 0; w < N_WHO; w++) {
				int rc = access_check(&actors[w], matrix[i].act,
				                      &obj);
				int want =
				    open ? 0 : want_rc(matrix[i].want[w]);

				ck_assert_msg(rc == want,
				              "%s by %s on vis %d: %d, want %d",
				              matrix[i].name, who_names[w],
				              (int)vis[v], rc, want);
			}
		}
	}
}
END_TEST

START_TEST(private_memorial)
{
	struct access_obj obj;

	make_actors();
	obj = the_obj();
	obj.memorial_id = 3; /* nobody's family here */
	ck_assert_int_eq(access_check(&actors[ANON], ACT_MEMORIAL_VIEW, &obj),
	                 ERR_UNAUTHORIZED);
	ck_assert_int_eq(
	    access_check(&actors[MOURNER], ACT_MEMORIAL_VIEW, &obj),
	    ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[FAM1], ACT_MEMORIAL_VIEW, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[GUEST1], ACT_MEMORIAL_VIEW, &obj),
	                 ERR_FORBIDDEN);
	/* the memorial's agency still sees it */
	ck_assert_int_eq(access_check(&actors[OP1], ACT_MEMORIAL_VIEW, &obj),
	                 0);
	ck_assert_int_eq(access_check(&actors[OP2], ACT_MEMORIAL_VIEW, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[ADMIN], ACT_MEMORIAL_VIEW, &obj),
	                 0);
}
END_TEST

START_TEST(invite_ok)
{
	struct access_obj obj;

	make_actors();
	obj = the_obj();
	obj.invite_ok = true;
	/* an invite opens a private ceremony to anyone holding it */
	for (int w = 0; w < N_WHO; w++)
		ck_assert_msg(
		    access_check(&actors[w], ACT_CEREMONY_WATCH, &obj) == 0,
		    "ceremony.watch by %s with invite", who_names[w]);
	/* but nothing else: not a private memorial, not editing */
	ck_assert_int_eq(access_check(&actors[ANON], ACT_MEMORIAL_VIEW, &obj),
	                 ERR_UNAUTHORIZED);
	ck_assert_int_eq(
	    access_check(&actors[MOURNER], ACT_MEMORIAL_VIEW, &obj),
	    ERR_FORBIDDEN);
	/* a complaint's token link shows it to whoever holds it */
	for (int w = 0; w < N_WHO; w++)
		ck_assert_msg(
		    access_check(&actors[w], ACT_COMPLAINT_READ, &obj) == 0,
		    "complaint.read by %s with its token", who_names[w]);
	for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
		if (matrix[i].act == ACT_CEREMONY_WATCH ||
		    matrix[i].act == ACT_COMPLAINT_READ)
			continue;
		for (int w = 0; w < N_WHO; w++)
			ck_assert_msg(
			    access_check(&actors[w], matrix[i].act, &obj) ==
			        want_rc(matrix[i].want[w]),
			    "%s by %s with invite", matrix[i].name,
			    who_names[w]);
	}
}
END_TEST

START_TEST(scope_edges)
{
	struct access_obj obj = {.visibility = VIS_PRIVATE};
	struct actor a = {.user_id = 50};

	make_actors();
	/* an object without an agency matches no operator */
	ck_assert_int_eq(access_check(&actors[OP1], ACT_AGENCY_EDIT, &obj),
	                 ERR_FORBIDDEN);
	/* nor does a grant of scope 0 match an object of scope 0 */
	grant(&a, ROLE_AGENCY_OPERATOR, 0);
	grant(&a, ROLE_CEMETERY_STAFF, 0);
	grant(&a, ROLE_FAMILY_ADMIN, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++)
		ck_assert_msg(access_check(&a, matrix[i].act, &obj) ==
		                  want_rc(matrix[i].want[OTHER]),
		              "%s: a scope-0 grant made a difference",
		              matrix[i].name);
	/* scopes do not cross kinds: agency 2 / cemetery 1 */
	obj = the_obj();
	obj.agency_id = 2;
	ck_assert_int_eq(access_check(&actors[OP1], ACT_AGENCY_EDIT, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[OP1], ACT_CEMETERY_EDIT, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[OP2], ACT_AGENCY_EDIT, &obj), 0);
	ck_assert_int_eq(access_check(&actors[STAFF1], ACT_CEMETERY_EDIT, &obj),
	                 0);
	/* an owner check needs the owner: another id is not enough */
	obj.owner_id = actors[OTHER].user_id;
	ck_assert_int_eq(access_check(&actors[MOURNER], ACT_BOOKING_VIEW, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[OTHER], ACT_BOOKING_VIEW, &obj),
	                 0);
	/* owner_id 0 never matches an anonymous actor */
	obj.owner_id = 0;
	ck_assert_int_eq(access_check(&actors[ANON], ACT_ORDER_FAMILY, &obj),
	                 ERR_UNAUTHORIZED);
}
END_TEST

START_TEST(several_grants)
{
	struct actor a = {.user_id = 77};
	struct access_obj obj = {0};

	grant(&a, ROLE_AGENCY_OPERATOR, 1);
	grant(&a, ROLE_CEMETERY_STAFF, 2);
	obj.agency_id = 1;
	obj.cemetery_id = 2;
	ck_assert_int_eq(access_check(&a, ACT_AGENCY_EDIT, &obj), 0);
	ck_assert_int_eq(access_check(&a, ACT_CEMETERY_EDIT, &obj), 0);
	obj.agency_id = 2;
	obj.cemetery_id = 1;
	ck_assert_int_eq(access_check(&a, ACT_AGENCY_EDIT, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&a, ACT_CEMETERY_EDIT, &obj),
	                 ERR_FORBIDDEN);
	ck_assert(actor_has(&a, ROLE_AGENCY_OPERATOR, 1));
	ck_assert(!actor_has(&a, ROLE_AGENCY_OPERATOR, 2));
	ck_assert(actor_has(&a, ROLE_CEMETERY_STAFF, -1));
	ck_assert(!actor_has(&a, ROLE_FAMILY_ADMIN, -1));
	ck_assert(!actor_is_admin(&a));
}
END_TEST

/* A cemetery's staff manage its staff only with the manager flag, and only
 * in their own cemetery; the flag gives nothing else. */
START_TEST(managers)
{
	struct access_obj obj;
	struct actor m = {.user_id = 50}, m2 = {.user_id = 51};

	make_actors();
	obj = the_obj();
	grant(&m, ROLE_CEMETERY_STAFF, 1);
	m.grants[0].manager = true;
	grant(&m2, ROLE_CEMETERY_STAFF, 2);
	m2.grants[0].manager = true;
	ck_assert_int_eq(access_check(&m, ACT_STAFF_MANAGE, &obj), 0);
	ck_assert_int_eq(access_check(&m2, ACT_STAFF_MANAGE, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[STAFF1], ACT_STAFF_MANAGE, &obj),
	                 ERR_FORBIDDEN);
	/* an agency's operators manage its staff; a manager of a cemetery
	 * numbered like the agency does not */
	obj.cemetery_id = 0;
	ck_assert_int_eq(access_check(&actors[OP1], ACT_STAFF_MANAGE, &obj), 0);
	ck_assert_int_eq(access_check(&m, ACT_STAFF_MANAGE, &obj),
	                 ERR_FORBIDDEN);
	obj = the_obj();
	ck_assert_int_eq(access_check(&m, ACT_ROLE_GRANT_STAFF, &obj),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&m, ACT_PLOT_EDIT, &obj), 0);
}
END_TEST

START_TEST(admin_needs_a_user)
{
	struct actor ghost = {0};

	/* an admin grant on an anonymous actor is worth nothing */
	grant(&ghost, ROLE_ADMIN, 0);
	ck_assert(!actor_is_admin(&ghost));
	ck_assert_int_eq(access_check(&ghost, ACT_ORG_CREATE, NULL),
	                 ERR_UNAUTHORIZED);
	make_actors();
	ck_assert(actor_is_admin(&actors[ADMIN]));
	ck_assert(!actor_is_admin(&actors[OP1]));
}
END_TEST

START_TEST(null_object_and_bad_action)
{
	make_actors();
	ck_assert_int_eq(access_check(&actors[ADMIN], ACT_ORG_CREATE, NULL), 0);
	ck_assert_int_eq(access_check(&actors[ANON], ACT_ORG_CREATE, NULL),
	                 ERR_UNAUTHORIZED);
	ck_assert_int_eq(access_check(&actors[OP1], ACT_AGENCY_EDIT, NULL),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(
	    access_check(&actors[MOURNER], ACT_MEMORIAL_CREATE, NULL), 0);
	/* a NULL object is private: no W_VISIBLE pass */
	ck_assert_int_eq(access_check(&actors[ANON], ACT_MEMORIAL_VIEW, NULL),
	                 ERR_UNAUTHORIZED);
	/* an unknown action is refused even to admin */
	ck_assert_int_eq(access_check(&actors[ADMIN], ACT_COUNT, NULL),
	                 ERR_FORBIDDEN);
	ck_assert_int_eq(access_check(&actors[ADMIN],
	                              (enum access_action)(ACT_COUNT + 9),
	                              NULL),
	                 ERR_FORBIDDEN);
}
END_TEST

START_TEST(names)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int r = 0; r < ROLE_COUNT; r++) {
		const char *n = access_role_name((enum role)r);

		ck_assert_str_ne(n, "?");
		ck_assert_int_eq(access_role_parse(n), r);
		ck_assert(g_hash_table_add(seen, (gpointer)n));
	}
	ck_assert_str_eq(access_role_name(ROLE_ADMIN), "admin");
	ck_assert_str_eq(access_role_name(ROLE_AGENCY_OPERATOR),
	                 "agency_operator");
	ck_assert_str_eq(access_role_name(ROLE_CEMETERY_STAFF),
	                 "cemetery_staff");
	ck_assert_str_eq(access_role_name(ROLE_COUNT), "?");
	ck_assert_int_eq(access_role_parse("mourner"), -1);
	ck_assert_int_eq(access_role_parse("Admin"), -1);
	ck_assert_int_eq(access_role_parse(""), -1);
	for (int a = 0; a < ACT_COUNT; a++) {
		const char *n = access_action_name((enum access_action)a);

		ck_assert_msg(strchr(n, '.') != NULL, "action name %s", n);
		ck_assert_msg(g_hash_table_add(seen, (gpointer)n),
		              "duplicate name %s", n);
	}
	ck_assert_str_eq(access_action_name(ACT_COUNT), "?");
	g_hash_table_destroy(seen);
}
END_TEST

/* ---------- HTTP mapping ---------- */

static json_t *deny_body(int rc, int *status)
{
	struct http_resp resp = {.status = 200, .file_fd = -1};
	json_t *j;

	resp.body = g_string_new(NULL);
	resp.headers = g_string_new(NULL);
	ck_assert(access_deny(&resp, rc));
	*status = resp.status;
	j = json_loads(resp.body->str, 0, NULL);
	ck_assert_ptr_nonnull(j);
	g_string_free(resp.body, TRUE);
	g_string_free(resp.headers, TRUE);
	return j;
}

START_TEST(deny_maps_to_http)
{
	struct http_resp resp = {.status = 200, .file_fd = -1};
	const char *code;
	json_t *j;
	int status;

	resp.body = g_string_new(NULL);
	resp.headers = g_string_new(NULL);
	ck_assert(!access_deny(&resp, 0));
	ck_assert_int_eq(resp.status, 200);
	ck_assert_uint_eq(resp.body->len, 0);
	g_string_free(resp.body, TRUE);
	g_string_free(resp.headers, TRUE);

	j = deny_body(ERR_UNAUTHORIZED, &status);
	ck_assert_int_eq(status, 401);
	code = json_string_value(
	    json_object_get(json_object_get(j, "error"), "code"));
	ck_assert_str_eq(code, "unauthorized");
	ck_assert(json_is_string(
	    json_object_get(json_object_get(j, "error"), "message")));
	json_decref(j);

	j = deny_body(ERR_FORBIDDEN, &status);
	ck_assert_int_eq(status, 403);
	code = json_string_value(
	    json_object_get(json_object_get(j, "error"), "code"));
	ck_assert_str_eq(code, "forbidden");
	json_decref(j);

	j = deny_body(ERR_DB, &status);
	ck_assert_int_eq(status, 500);
	json_decref(j);
}
END_TEST

/* ---------- docs/access.md ---------- */

static void emit_gstring(void *ud, const char *s)
{
	g_string_append(ud, s);
}

/* The table in the doc: the block of lines from "| action |" to the first
 * line that does not start with '|'. */
static char *doc_table(const char *doc)
{
	const char *start = strstr(doc, "\n| action |");
	GString *t = g_string_new(NULL);
	const char *p;

	ck_assert_msg(start != NULL, "docs/access.md has no action table");
	for (p = start + 1; *p == '|';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		g_string_append_len(t, p, (gssize)n);
		p += n;
	}
	/* only one table */
	ck_assert_msg(strstr(p, "\n| action |") == NULL,
	              "docs/access.md has two action tables");
	return g_string_free(t, FALSE);
}

START_TEST(doc_matches_code)
{
	const char *root = getenv("SINIAN_SOURCE_DIR");
	char *path = g_build_filename(root ? root : SINIAN_SOURCE_DIR, "docs",
	                              "access.md", NULL);
	GString *gen = g_string_new(NULL);
	gchar *doc = NULL;
	char *table;
	GError *e = NULL;

	ck_assert_msg(g_file_get_contents(path, &doc, NULL, &e), "%s: %s", path,
	              e ? e->message : "?");
	access_table_markdown(emit_gstring, gen);
	table = doc_table(doc);
	ck_assert_msg(strcmp(table, gen->str) == 0,
	              "docs/access.md differs from `sinian access-table`:\n"
	              "--- doc ---\n%s--- code ---\n%s",
	              table, gen->str);
	g_free(table);
	g_free(doc);
	g_free(path);
	g_string_free(gen, TRUE);
}
END_TEST

static void expect_cell(char *cell, const char *want)
{
	ck_assert_str_eq(g_strstrip(cell), want);
}

/* The generated table itself: a header, a rule, one row per action, and the
 * cells say what the matrix above says. */
START_TEST(table_agrees_with_matrix)
{
	GString *gen = g_string_new(NULL);
	gchar **lines;
	int rows = 0;

	make_actors();
	access_table_markdown(emit_gstring, gen);
	lines = g_strsplit(gen->str, "\n", -1);
	ck_assert(g_str_has_prefix(lines[0], "| action |"));
	ck_assert(g_str_has_prefix(lines[1], "|---|"));
	for (int i = 2; lines[i] && lines[i][0]; i++, rows++) {
		gchar **cells = g_strsplit(lines[i], "|", -1);
		size_t m = (size_t)(i - 2);
		const char *want = matrix[m].want;
		char name[64];

		/* "", action, what, anonymous, mourner, family, staff,
		 * operator, admin, "" */
		ck_assert_uint_eq(g_strv_length(cells), 10);
		snprintf(name, sizeof(name), " `%s` ", matrix[m].name);
		ck_assert_str_eq(cells[1], name);
		if (want[ANON] == 'y') { /* anyone: yes in every column */
			for (int c = 3; c <= 8; c++)
				expect_cell(cells[c], "yes");
			g_strfreev(cells);
			continue;
		}
		expect_cell(cells[3],
		            matrix[m].act == ACT_MEMORIAL_VIEW ||
		                    matrix[m].act == ACT_CEREMONY_WATCH
		                ? "if public"
		            : matrix[m].act == ACT_COMPLAINT_READ
		                ? "with invite"
		                : "–");
		expect_cell(cells[4], want[OTHER] == 'y'     ? "yes"
		                      : want[MOURNER] == 'y' ? "own only"
		                                             : "–");
		expect_cell(cells[8], want[ADMIN] == 'y' ? "yes" : "–");
		/* a scoped right hides behind "any signed-in user": only check
		 * the scoped columns where signed-in users are refused */
		if (want[OTHER] == 'y') {
			g_strfreev(cells);
			continue;
		}
		expect_cell(cells[5], want[FAM1] == 'y'     ? "own memorial"
		                      : want[GUEST1] == 'y' ? "view only"
		                                            : "–");
		expect_cell(cells[6], want[STAFF1] == 'y' ? "own scope"
		                      : matrix[m].act == ACT_STAFF_MANAGE
		                          ? "managers, own scope"
		                          : "–");
		expect_cell(cells[7], want[OP1] == 'y' ? "own scope" : "–");
		g_strfreev(cells);
	}
	ck_assert_int_eq(rows, ACT_COUNT);
	g_strfreev(lines);
	g_string_free(gen, TRUE);
}
END_TEST

/* ---------- audit ---------- */

START_TEST(audit_row)
{
	char *dir = g_dir_make_tmp("sinian-access-XXXXXX", NULL);
	char *db = g_build_filename(dir, "t.db", NULL);
	struct app app = {0};
	struct err_detail err = {0};

	make_actors();
	ck_assert_int_eq(store_open(db, &app.store, &err), 0);
	ck_assert_int_eq(store_audit_count(app.store, "pii.view"), 0);
	ck_assert_int_eq(
	    access_audit(&app, &actors[ADMIN], "pii.view", "user", 42, "login"),
	    0);
	ck_assert_int_eq(
	    access_audit(&app, &actors[OP1], "pii.view", "deceased", 7, NULL),
	    0);
	ck_assert_int_eq(store_audit_count(app.store, "pii.view"), 2);
	ck_assert_int_eq(store_audit_count(app.store, "other"), 0);
	store_close(app.store);
	g_remove(db);
	g_free(db);
	db = g_strconcat(dir, "/t.db-wal", NULL);
	g_remove(db);
	g_free(db);
	db = g_strconcat(dir, "/t.db-shm", NULL);
	g_remove(db);
	g_free(db);
	g_rmdir(dir);
	g_free(dir);
}
END_TEST

static Suite *access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("table");
	TCase *io = tcase_create("io");

	tcase_add_test(tc, matrix_covers_every_action);
	tcase_add_test(tc, matrix_private_object);
	tcase_add_test(tc, visibility);
	tcase_add_test(tc, private_memorial);
	tcase_add_test(tc, invite_ok);
	tcase_add_test(tc, scope_edges);
	tcase_add_test(tc, several_grants);
	tcase_add_test(tc, managers);
	tcase_add_test(tc, admin_needs_a_user);
	tcase_add_test(tc, null_object_and_bad_action);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);

	tcase_add_test(io, deny_maps_to_http);
	tcase_add_test(io, doc_matches_code);
	tcase_add_test(io, table_agrees_with_matrix);
	tcase_add_test(io, audit_row);
	suite_add_tcase(s, io);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(access_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
