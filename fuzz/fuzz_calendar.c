/* fuzz_calendar.c — the mourning calendar and its iCalendar feed from
 * what people type: a death date, a birth date, a window and a name (the
 * lines of the input; a first byte 'L' asks for lunar anniversaries).
 * Every date found is named in both languages and put in a feed, which
 * libical must write whole. */
#include "ics.h"
#include "mourning.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mourning *cal;

static void field(char **p, char *out, size_t outlen)
{
	char *nl = strchr(*p, '\n');
	size_t n = nl ? (size_t)(nl - *p) : strlen(*p);

	snprintf(out, outlen, "%.*s", (int)n, *p);
	*p += nl ? n + 1 : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mourning_person p = {0};
	struct mourning_date next;
	char from[16], to[16], name[256], title[256], label[64];
	char *s = malloc(size + 1), *cur;
	GArray *out;
	int days;

	if (!s)
		return 0;
	if (!cal)
		cal = mourning_new();
	memcpy(s, data, size);
	s[size] = '\0';
	p.lunar = size > 0 && s[0] == 'L';
	cur = size > 0 ? s + 1 : s;
	field(&cur, p.death_date, sizeof(p.death_date));
	field(&cur, p.birth_date, sizeof(p.birth_date));
	field(&cur, from, sizeof(from));
	field(&cur, to, sizeof(to));
	field(&cur, name, sizeof(name));
	out = g_array_new(FALSE, FALSE, sizeof(struct mourning_date));
	mourning_dates(cal, &p, from, to, out);
	mourning_rites(cal, &p, out);
	if (mourning_next(cal, &p, from, &next, &days) == 0)
		g_array_append_val(out, next);
	for (guint i = 0; i < out->len; i++) {
		struct mourning_date *d =
		    &g_array_index(out, struct mourning_date, i);

		mourning_title(d, "en", title, sizeof(title));
		mourning_title(d, "zh-CN", title, sizeof(title));
		mourning_lunar_label(d, "en", label, sizeof(label));
		mourning_lunar_label(d, "zh-CN", label, sizeof(label));
	}
	if (out->len) {
		struct ics_feed f = {"example.org", name, "https://e.org/m/x",
		                     "zh-CN", 1};
		char *text = ics_memorial(&f, out, NULL);

		if (!text)
			abort();
		free(text);
	}
	g_array_free(out, TRUE);
	free(s);
	return 0;
}
