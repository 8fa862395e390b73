/* test_crypto.c — the data key file (created 0600, reused, refused when
 * readable by others or of the wrong size), sealing personal data, keyed
 * hashes, Argon2id passwords, session tokens and the display masks. */
#include "fx_files.h"
#include "crypto.h"
#include "err.h"

#include <check.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
	dir = g_dir_make_tmp("sinian-crypto-XXXXXX", NULL);
	ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
	fx_rm_tree(dir);
	g_free(dir);
	dir = NULL;
}

static char *path_in(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

/* Open (creating) the key file `name` in the test dir; fails the test on
 * an error. */
static struct crypto *open_key(const char *name)
{
	char *path = path_in(name);
	struct crypto *c = NULL;
	struct err_detail err = {0};
	int rc = crypto_open(path, &c, &err);

	ck_assert_msg(rc == 0, "crypto_open %s: %d %s", path, rc, err.msg);
	ck_assert_ptr_nonnull(c);
	g_free(path);
	return c;
}

static void write_file(const char *path, const void *data, size_t len,
                       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	/* umask must not soften the mode under test */
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* ---------- the key file ---------- */

START_TEST(key_created_0600)
{
	char *path = path_in("secret.key");
	struct crypto *c;
	struct stat sb;

	ck_assert_int_ne(access(path, F_OK), 0);
	c = open_key("secret.key");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_size, CRYPTO_KEY_BYTES);
	crypto_close(c);
	g_free(path);
}
END_TEST

START_TEST(key_reused_on_second_open)
{
	char *path = path_in("secret.key");
	struct crypto *a = open_key("secret.key"), *b;
	char ha[CRYPTO_HASH_CHARS], hb[CRYPTO_HASH_CHARS];
	gchar *before = NULL, *after = NULL;
	gsize nb = 0, na = 0;
	char *sealed, *plain;

	ck_assert(g_file_get_contents(path, &before, &nb, NULL));
	sealed = crypto_seal(a, "13812345678");
	crypto_keyed_hash(a, "13812345678", ha);
	crypto_close(a);

	b = open_key("secret.key");
	ck_assert(g_file_get_contents(path, &after, &na, NULL));
	ck_assert_uint_eq(na, nb);
	ck_assert(memcmp(before, after, nb) == 0);
	/* what the first run sealed, the second run can read and find */
	plain = crypto_open_sealed(b, sealed);
	ck_assert_ptr_nonnull(plain);
	ck_assert_str_eq(plain, "13812345678");
	crypto_keyed_hash(b, "13812345678", hb);
	ck_assert_str_eq(ha, hb);
	free(plain);
	free(sealed);
	crypto_close(b);
	g_free(before);
	g_free(after);
	g_free(path);
}
END_TEST

static void expect_refused(const char *path, int want_rc, const char *want_msg)
{
	struct crypto *c = NULL;
	struct err_detail err = {0};
	int rc = crypto_open(path, &c, &err);

	ck_assert_msg(rc == want_rc, "%s: rc %d, want %d (%s)", path, rc,
	              want_rc, err.msg);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, want_msg) != NULL,
	              "message '%s' lacks '%s'", err.msg, want_msg);
}

START_TEST(key_refused_when_readable_by_others)
{
	unsigned char key[CRYPTO_KEY_BYTES];
	char *path = path_in("open.key");

	memset(key, 7, sizeof(key));
	write_file(path, key, sizeof(key), 0644);
	expect_refused(path, ERR_INVALID, "chmod 600");
	/* group-readable only is refused too */
	ck_assert_int_eq(chmod(path, 0640), 0);
	expect_refused(path, ERR_INVALID, "chmod 600");
	/* once fixed, the same file is accepted */
	ck_assert_int_eq(chmod(path, 0600), 0);
	crypto_close(open_key("open.key"));
	g_free(path);
}
END_TEST

START_TEST(key_refused_when_wrong_size)
{
	unsigned char key[CRYPTO_KEY_BYTES + 1];
	char *path = path_in("odd.key");

	memset(key, 9, sizeof(key));
	write_file(path, key, CRYPTO_KEY_BYTES - 1, 0600);
	expect_refused(path, ERR_INVALID, "exactly");
	write_file(path, key, CRYPTO_KEY_BYTES + 1, 0600);
	expect_refused(path, ERR_INVALID, "exactly");
	write_file(path, key, 0, 0600);
	expect_refused(path, ERR_INVALID, "exactly");
	g_free(path);
}
END_TEST

START_TEST(key_dir_missing)
{
	char *path = g_build_filename(dir, "no", "such", "secret.key", NULL);

	expect_refused(path, ERR_IO, "cannot create");
	g_free(path);
}
END_TEST

/* ---------- sealing ---------- */

static void round_trip(const struct crypto *c, const char *text)
{
	char *sealed = crypto_seal(c, text);
	char *plain;

	ck_assert_ptr_nonnull(sealed);
	ck_assert_msg(strncmp(sealed, "v1:", 3) == 0, "sealed '%s'", sealed);
	if (strlen(text) >= 4)
		ck_assert_msg(strstr(sealed, text) == NULL,
		              "clear text in '%s'", sealed);
	plain = crypto_open_sealed(c, sealed);
	ck_assert_ptr_nonnull(plain);
	ck_assert_str_eq(plain, text);
	free(plain);
	free(sealed);
}

START_TEST(seal_round_trip)
{
	struct crypto *c = open_key("k");
	char big[4096];

	round_trip(c, "13812345678");
	round_trip(c, "370102199001011234");
	round_trip(c, "alice@example.com");
	round_trip(c, "张三，北京市朝阳区某某路 1 号 — 思念 🌸");
	round_trip(c, "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	round_trip(c, big);
	crypto_close(c);
}
END_TEST

START_TEST(seal_fresh_nonce_each_time)
{
	struct crypto *c = open_key("k");
	GHashTable *seen =
	    g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);

	for (int i = 0; i < 50; i++) {
		char *s = crypto_seal(c, "13812345678");

		ck_assert_ptr_nonnull(s);
		ck_assert_msg(!g_hash_table_contains(seen, s),
		              "same ciphertext twice: %s", s);
		g_hash_table_add(seen, s);
	}
	ck_assert_uint_eq(g_hash_table_size(seen), 50);
	g_hash_table_destroy(seen);
	crypto_close(c);
}
END_TEST

static char b64_flip(char ch)
{
	return ch == 'A' ? 'B' : 'A';
}

START_TEST(seal_tampered_is_refused)
{
	struct crypto *c = open_key("k"), *other = open_key("other");
	char *sealed = crypto_seal(c, "张三 13812345678");
	size_t n = strlen(sealed);
	char *t;

	/* every single-character change anywhere after the prefix: nonce,
	 * MAC or cipher text */
	for (size_t i = 3; i < n; i++) {
		t = g_strdup(sealed);
		t[i] = b64_flip(t[i]);
		ck_assert_msg(crypto_open_sealed(c, t) == NULL,
		              "tampered at %zu accepted", i);
		g_free(t);
	}
	/* truncated, extended, wrong version, not base64, too short */
	t = g_strndup(sealed, n - 2);
	ck_assert_ptr_null(crypto_open_sealed(c, t));
	g_free(t);
	t = g_strconcat(sealed, "AA", NULL);
	ck_assert_ptr_null(crypto_open_sealed(c, t));
	g_free(t);
	t = g_strdup(sealed);
	t[1] = '2';
	ck_assert_ptr_null(crypto_open_sealed(c, t));
	g_free(t);
	ck_assert_ptr_null(crypto_open_sealed(c, sealed + 3));
	ck_assert_ptr_null(crypto_open_sealed(c, "v1:!!!!****"));
	ck_assert_ptr_null(crypto_open_sealed(c, "v1:"));
	ck_assert_ptr_null(crypto_open_sealed(c, "v1:AAAA"));
	ck_assert_ptr_null(crypto_open_sealed(c, ""));
	/* another key cannot open it */
	ck_assert_ptr_null(crypto_open_sealed(other, sealed));
	/* and the untouched original still opens */
	t = crypto_open_sealed(c, sealed);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, "张三 13812345678");
	free(t);
	free(sealed);
	crypto_close(other);
	crypto_close(c);
}
END_TEST

/* ---------- hashes ---------- */

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

START_TEST(keyed_hash_stable_and_key_dependent)
{
	struct crypto *a = open_key("a"), *b = open_key("b");
	char h1[CRYPTO_HASH_CHARS], h2[CRYPTO_HASH_CHARS];
	char h3[CRYPTO_HASH_CHARS], h4[CRYPTO_HASH_CHARS];
	char plain[CRYPTO_HASH_CHARS];

	crypto_keyed_hash(a, "13812345678", h1);
	crypto_keyed_hash(a, "13812345678", h2);
	ck_assert(is_hex64(h1));
	ck_assert_str_eq(h1, h2);
	/* a different input, a different hash */
	crypto_keyed_hash(a, "13812345679", h3);
	ck_assert_str_ne(h1, h3);
	/* a different key, a different hash of the same input */
	crypto_keyed_hash(b, "13812345678", h4);
	ck_assert_str_ne(h1, h4);
	/* keyed: not the plain SHA-256 of the text */
	crypto_sha256_hex("13812345678", plain);
	ck_assert_str_ne(h1, plain);
	crypto_close(a);
	crypto_close(b);
}
END_TEST

START_TEST(sha256_hex)
{
	char h[CRYPTO_HASH_CHARS], h2[CRYPTO_HASH_CHARS];

	/* FIPS 180-2 test vectors */
	crypto_sha256_hex("abc", h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223"
	                    "b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_hex("", h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb924"
	                    "27ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex("abd", h2);
	ck_assert(is_hex64(h2));
	ck_assert_str_ne(h, h2);
}
END_TEST

/* ---------- passwords ---------- */

START_TEST(password_hash_verify)
{
	char h1[CRYPTO_PWHASH_MAX], h2[CRYPTO_PWHASH_MAX];

	ck_assert_int_eq(crypto_password_hash("correct horse", h1), 0);
	ck_assert_msg(strncmp(h1, "$argon2id$", 10) == 0, "hash '%s'", h1);
	ck_assert(strstr(h1, "correct horse") == NULL);
	ck_assert(crypto_password_verify(h1, "correct horse"));
	ck_assert(!crypto_password_verify(h1, "correct horsE"));
	ck_assert(!crypto_password_verify(h1, "correct horse "));
	ck_assert(!crypto_password_verify(h1, "correct hors"));
	ck_assert(!crypto_password_verify(h1, ""));
	/* salted: the same password hashes differently, both verify */
	ck_assert_int_eq(crypto_password_hash("correct horse", h2), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert(crypto_password_verify(h2, "correct horse"));
	/* a broken stored hash never verifies */
	ck_assert(!crypto_password_verify("", "correct horse"));
	ck_assert(!crypto_password_verify("$argon2id$garbage", "x"));
}
END_TEST

START_TEST(password_unicode)
{
	char h[CRYPTO_PWHASH_MAX];

	ck_assert_int_eq(crypto_password_hash("思念故人清明时节", h), 0);
	ck_assert(crypto_password_verify(h, "思念故人清明时节"));
	ck_assert(!crypto_password_verify(h, "思念故人清明时"));
}
END_TEST

/* ---------- tokens ---------- */

START_TEST(token_shape_and_uniqueness)
{
	GHashTable *seen =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char t[CRYPTO_TOKEN_CHARS];

	for (int i = 0; i < 2000; i++) {
		memset(t, '#', sizeof(t));
		crypto_token(t);
		/* 32 bytes as unpadded base64url: 43 characters */
		ck_assert_uint_eq(strlen(t), 43);
		ck_assert_uint_eq(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                            "abcdefghijklmnopqrstuvwxyz"
		                            "0123456789-_"),
		                  43);
		ck_assert_msg(!g_hash_table_contains(seen, t), "repeat %s", t);
		g_hash_table_add(seen, g_strdup(t));
	}
	g_hash_table_destroy(seen);
}
END_TEST

/* ---------- masks ---------- */

static void expect_mask(void (*fn)(const char *, char *, size_t),
                        const char *in, const char *want)
{
	char out[256];

	memset(out, '#', sizeof(out));
	fn(in, out, sizeof(out));
	ck_assert_msg(strcmp(out, want) == 0, "mask(%s) = '%s', want '%s'", in,
	              out, want);
}

START_TEST(mask_phone)
{
	expect_mask(crypto_mask_phone, "13812345678", "138****5678");
	expect_mask(crypto_mask_phone, "15900001111", "159****1111");
	/* shorter than what is kept: all stars, nothing revealed */
	expect_mask(crypto_mask_phone, "1234567", "*******");
	expect_mask(crypto_mask_phone, "123", "***");
	expect_mask(crypto_mask_phone, "", "");
	expect_mask(crypto_mask_phone, "12345678", "123*5678");
}
END_TEST

START_TEST(mask_id)
{
	expect_mask(crypto_mask_id, "370102199001011234", "3701**********1234");
	expect_mask(crypto_mask_id, "11010519491231002X", "1101**********002X");
	expect_mask(crypto_mask_id, "12345678", "********");
	expect_mask(crypto_mask_id, "1234", "****");
	expect_mask(crypto_mask_id, "", "");
}
END_TEST

START_TEST(mask_email)
{
	expect_mask(crypto_mask_email, "alice@example.com", "a***@example.com");
	expect_mask(crypto_mask_email, "a@x.cn", "a***@x.cn");
	/* the local part's length is not revealed */
	expect_mask(crypto_mask_email, "bartholomew@x.cn", "b***@x.cn");
	/* no local part, or no '@' at all: nothing but the first character */
	expect_mask(crypto_mask_email, "@x.cn", "@****");
	expect_mask(crypto_mask_email, "alice", "a****");
	expect_mask(crypto_mask_email, "", "");
}
END_TEST

START_TEST(mask_small_buffers)
{
	char full[64], out[16];

	crypto_mask_phone("13812345678", full, sizeof(full));
	/* every size: NUL-terminated, a prefix of the full mask, in bounds */
	for (size_t n = 1; n <= 12; n++) {
		memset(out, '#', sizeof(out));
		crypto_mask_phone("13812345678", out, n);
		ck_assert_uint_eq(strlen(out), n - 1);
		ck_assert_msg(strncmp(out, full, n - 1) == 0,
		              "size %zu: '%s' not a prefix of '%s'", n, out,
		              full);
		ck_assert_int_eq(out[n], '#');
	}
	crypto_mask_id("370102199001011234", full, sizeof(full));
	for (size_t n = 1; n <= 16; n++) {
		memset(out, '#', sizeof(out));
		crypto_mask_id("370102199001011234", out, n);
		ck_assert_uint_eq(strlen(out), n - 1);
		ck_assert(strncmp(out, full, n - 1) == 0);
	}
	for (size_t n = 1; n <= 8; n++) {
		memset(out, '#', sizeof(out));
		crypto_mask_email("alice@example.com", out, n);
		ck_assert_uint_eq(strlen(out), n - 1);
		ck_assert_int_eq(out[n], '#');
	}
	/* size 0 writes nothing */
	memset(out, '#', sizeof(out));
	crypto_mask_phone("13812345678", out, 0);
	crypto_mask_id("370102199001011234", out, 0);
	ck_assert_int_eq(out[0], '#');
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *key = tcase_create("key");
	TCase *seal = tcase_create("seal");
	TCase *pw = tcase_create("password");
	TCase *misc = tcase_create("token_mask");

	tcase_add_checked_fixture(key, setup, teardown);
	tcase_add_test(key, key_created_0600);
	tcase_add_test(key, key_reused_on_second_open);
	tcase_add_test(key, key_refused_when_readable_by_others);
	tcase_add_test(key, key_refused_when_wrong_size);
	tcase_add_test(key, key_dir_missing);
	suite_add_tcase(s, key);

	tcase_add_checked_fixture(seal, setup, teardown);
	tcase_add_test(seal, seal_round_trip);
	tcase_add_test(seal, seal_fresh_nonce_each_time);
	tcase_add_test(seal, seal_tampered_is_refused);
	tcase_add_test(seal, keyed_hash_stable_and_key_dependent);
	tcase_add_test(seal, sha256_hex);
	suite_add_tcase(s, seal);

	tcase_set_timeout(pw, 60);
	tcase_add_test(pw, password_hash_verify);
	tcase_add_test(pw, password_unicode);
	suite_add_tcase(s, pw);

	tcase_add_test(misc, token_shape_and_uniqueness);
	tcase_add_test(misc, mask_phone);
	tcase_add_test(misc, mask_id);
	tcase_add_test(misc, mask_email);
	tcase_add_test(misc, mask_small_buffers);
	suite_add_tcase(s, misc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(crypto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
