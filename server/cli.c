/* cli.c — operator subcommands on the data dir:
 *   sinian user add --login L --role R [--scope ID] [--name N] --password-stdin
 *   sinian user list
 *   sinian user grant|revoke --login L --role R [--scope ID] [--manager]
 *   sinian access-table [--json]
 *   sinian text-limits      (the free-text fields and their limits, JSON)
 * They open the store and key themselves; SQLite's locking lets them run
 * beside a live daemon.
 */
#include "cli.h"
#include "access.h"
#include "api.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "err.h"
#include "store.h"
#include "store_staff.h"
#include "store_user.h"
#include "textlimit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cli_opts {
	const char *login, *role, *name;
	int64_t scope;
	bool password_stdin;
	bool manager; /* cemetery_staff who manage the staff */
};

static int cli_usage(void)
{
	fprintf(stderr,
	        "usage: sinian [--config F] [--data-dir D] user add --login L "
	        "--role R [--scope ID] [--name N] --password-stdin\n"
	        "       sinian user list\n"
	        "       sinian user grant|revoke --login L --role R [--scope "
	        "ID] [--manager]\n"
	        "       sinian access-table [--json]\n"
	        "       sinian text-limits\n"
	        "roles: mourner admin agency_operator cemetery_staff "
	        "family_admin memorial_guest\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--password-stdin") || !strcmp(a, "--manager")) {
			*(a[2] == 'p' ? &o->password_stdin : &o->manager) =
			    true;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(a, "--login"))
			o->login = v;
		else if (!strcmp(a, "--role"))
			o->role = v;
		else if (!strcmp(a, "--name"))
			o->name = v;
		else if (!strcmp(a, "--scope"))
			o->scope = strtoll(v, NULL, 10);
		else
			return -1;
		i++;
	}
	return 0;
}

static int cli_open(const struct config *cfg, struct app *app)
{
	struct err_detail err = {0};
	char path[1200];

	memset(app, 0, sizeof(*app));
	app->cfg = *cfg;
	if (mkdir(cfg->data_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "sinian: cannot create %s: %s\n", cfg->data_dir,
		        strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sinian.db", cfg->data_dir);
	if (store_open(path, &app->store, &err) || api_open_core(app, &err)) {
		fprintf(stderr, "sinian: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static void cli_close(struct app *app)
{
	api_stop(app);
	store_close(app->store);
}

static const char *scope_kind(int role)
{
	switch (role) {
	case ROLE_ADMIN: return "none";
	case ROLE_AGENCY_OPERATOR: return "agency";
	case ROLE_CEMETERY_STAFF: return "cemetery";
	default: return "memorial";
	}
}

static int find_user(struct app *app, const char *login_raw, int64_t *id)
{
	char login[256], hash[CRYPTO_HASH_CHARS];
	const char *kind;
	struct store_user u;

	if (!login_raw ||
	    auth_login_normalize(login_raw, login, sizeof(login), &kind)) {
		fprintf(stderr, "sinian: --login must be a mobile number or "
		                "an e-mail address\n");
		return 2;
	}
	crypto_keyed_hash(app->crypto, login, hash);
	if (store_user_by_login(app->store, hash, &u)) {
		fprintf(stderr, "sinian: no user with that login\n");
		return 1;
	}
	*id = u.id;
	return 0;
}

static int grant(struct app *app, int64_t id, const struct cli_opts *o,
                 bool add)
{
	int role;
	int rc;

	if (!o->role || !strcmp(o->role, "mourner"))
		return 0;
	role = access_role_parse(o->role);
	if (role < 0) {
		fprintf(stderr, "sinian: unknown role %s\n", o->role);
		return 2;
	}
	if (role != ROLE_ADMIN && o->scope <= 0) {
		fprintf(stderr, "sinian: role %s needs --scope ID\n", o->role);
		return 2;
	}
	if (o->manager && role != ROLE_CEMETERY_STAFF) {
		fprintf(stderr, "sinian: --manager is for cemetery_staff\n");
		return 2;
	}
	if (add && o->manager)
		rc = store_staff_grant(app->store, id, ORG_CEMETERY, o->scope,
		                       true, 0);
	else if (add)
		rc = store_user_grant_add(app->store, id, o->role,
		                          scope_kind(role),
		                          role == ROLE_ADMIN ? 0 : o->scope, 0);
	else
		rc = store_user_grant_remove(app->store, id, o->role,
		                             scope_kind(role),
		                             role == ROLE_ADMIN ? 0 : o->scope);
	if (rc) {
		fprintf(stderr, "sinian: cannot %s the role (%s)\n",
		        add ? "grant" : "revoke", err_name(rc));
		return 1;
	}
	return 0;
}

static int user_add(struct app *app, const struct cli_opts *o)
{
	struct err_detail err = {0};
	char password[256];
	int64_t id;
	size_t n;
	int rc;

	if (!o->login || !o->password_stdin)
		return cli_usage();
	if (o->role && strcmp(o->role, "mourner") &&
	    access_role_parse(o->role) < 0) {
		fprintf(stderr, "sinian: unknown role %s\n", o->role);
		return 2;
	}
	if (!fgets(password, sizeof(password), stdin)) {
		fprintf(stderr, "sinian: no password on standard input\n");
		return 2;
	}
	n = strcspn(password, "\r\n");
	password[n] = '\0';
	rc = api_user_create(app, o->login, password,
	                     o->name ? o->name : o->login, &id, &err);
	explicit_bzero(password, sizeof(password));
	if (rc) {
		fprintf(stderr, "sinian: %s\n",
		        err.msg[0] ? err.msg : err_name(rc));
		return rc == ERR_INVALID ? 2 : 1;
	}
	if ((rc = grant(app, id, o, true)))
		return rc;
	printf("user %lld created\n", (long long)id);
	return 0;
}

static int user_list(struct app *app)
{
	GArray *users = g_array_new(FALSE, FALSE, sizeof(struct store_user));
	GArray *grants = g_array_new(FALSE, FALSE, sizeof(struct store_grant));
	int rc = 0;

	for (int64_t after = 0;;
	     after =
	         g_array_index(users, struct store_user, users->len - 1).id) {
		guint had = users->len;

		if (store_user_list(app->store, after, 1000, users)) {
			fprintf(stderr, "cannot list the accounts\n");
			g_array_free(users, TRUE);
			g_array_free(grants, TRUE);
			return 1;
		}
		if (users->len == had || users->len - had < 1000)
			break;
	}
	printf("%-6s %-24s %-20s %s\n", "id", "login", "name", "roles");
	for (guint i = 0; i < users->len; i++) {
		struct store_user *u =
		    &g_array_index(users, struct store_user, i);

		g_array_set_size(grants, 0);
		if (store_user_grant_list(app->store, u->id, grants)) {
			fprintf(stderr, "cannot list the roles of %lld\n",
			        (long long)u->id);
			rc = 1;
			break;
		}
		printf("%-6lld %-24s %-20s mourner", (long long)u->id,
		       u->login_masked, u->display_name);
		for (guint k = 0; k < grants->len; k++) {
			struct store_grant *g =
			    &g_array_index(grants, struct store_grant, k);

			if (g->scope_id)
				printf(" %s:%lld%s", g->role,
				       (long long)g->scope_id,
				       g->manager ? "(manager)" : "");
			else
				printf(" %s", g->role);
		}
		printf("\n");
	}
	g_array_free(users, TRUE);
	g_array_free(grants, TRUE);
	return rc;
}

static void emit_stdout(void *ud, const char *s)
{
	fputs(s, ud);
}

static int cli_user(const struct config *cfg, int argc, char **argv)
{
	struct cli_opts o;
	struct app app;
	int64_t id;
	int rc;

	if (argc < 2 || parse_opts(argc - 2, argv + 2, &o))
		return cli_usage();
	if (strcmp(argv[1], "add") && strcmp(argv[1], "list") &&
	    strcmp(argv[1], "grant") && strcmp(argv[1], "revoke"))
		return cli_usage();
	if (cli_open(cfg, &app)) {
		cli_close(&app);
		return 1;
	}
	if (!strcmp(argv[1], "add"))
		rc = user_add(&app, &o);
	else if (!strcmp(argv[1], "list"))
		rc = user_list(&app);
	else if (!o.role)
		rc = cli_usage();
	else if (!(rc = find_user(&app, o.login, &id)))
		rc = grant(&app, id, &o, !strcmp(argv[1], "grant"));
	cli_close(&app);
	return rc;
}

int cli_main(const struct config *cfg, int argc, char **argv)
{
	if (!strcmp(argv[0], "user"))
		return cli_user(cfg, argc, argv);
	if (!strcmp(argv[0], "access-table")) {
		char *s;

		if (argc < 2 || strcmp(argv[1], "--json")) {
			access_table_markdown(emit_stdout, stdout);
			return 0;
		}
		if (!(s = access_table_json()))
			return 1;
		printf("%s\n", s);
		free(s);
		return 0;
	}
	if (!strcmp(argv[0], "text-limits")) {
		char *s = textlimit_json();

		if (!s)
			return 1;
		printf("%s\n", s);
		free(s);
		return 0;
	}
	fprintf(stderr, "sinian: unknown command \"%s\" (see sinian --help)\n",
	        argv[0]);
	return 2;
}
