/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signature 1.0 of the 2016-04-28 RPC API (spec digest 1.3), access keys,
 * the timestamp window and SignatureNonce replay protection.
 *
 * Design note: the canonical query is rebuilt from the decoded parameters
 * (query string and form body together, as the SDK signs them), never from
 * the raw request text, so a client's choice of escapes cannot matter. The
 * MAC comes from OpenSSL (HMAC with EVP_sha1) and is compared with
 * CRYPTO_memcmp over the base64 text of equal length. Checks run cheapest
 * first; the nonce is remembered only after the signature verified, so an
 * unauthenticated caller cannot burn other callers' nonces.
 *
 * Nonces: JudyHS over "AccessKeyId\0Nonce" bytes, plus a FIFO of the same
 * entries in arrival order whose expiry (arrival + 2 * window) therefore
 * grows monotonically: expiring is popping the head. A nonce is kept as long
 * as a request carrying it could still pass the timestamp check. At
 * SL_API_MAX_NONCES the API answers ServiceUnavailable rather than forget a
 * nonce that could still be replayed.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sl_api_auth.h"
#include "sl_api_rate.h"
#include "sl_judy.h"

/* ---- canonicalisation and the MAC --------------------------------------- */

void sl_api_pct_encode(struct sl_sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
			sl_sbuf_add(b, (const char *)c, 1);
		} else {
			char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};

			sl_sbuf_add(b, e, 3);
		}
	}
}

/* Names compare bytewise: for the ASCII names of the API this is the Java
 * sample's String order (UTF-16 code units). Equal names: by value. */
static int sl_param_cmp(const void *a, const void *b)
{
	const struct sl_api_param *x = *(const struct sl_api_param *const *)a;
	const struct sl_api_param *y = *(const struct sl_api_param *const *)b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

char *sl_api_string_to_sign(const char *method, const struct sl_api_params *p)
{
	const struct sl_api_param **sorted;
	struct sl_sbuf q, sts;
	unsigned int n = 0;

	sorted = calloc(p->n + 1, sizeof(*sorted));
	if (sorted == NULL)
		return NULL;
	for (unsigned int i = 0; i < p->n; i++)
		if (strcmp(p->v[i].k, "Signature") != 0)
			sorted[n++] = &p->v[i];
	qsort(sorted, n, sizeof(*sorted), sl_param_cmp);
	sl_sbuf_init(&q);
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			sl_sbuf_add(&q, "&", 1);
		sl_api_pct_encode(&q, sorted[i]->k);
		sl_sbuf_add(&q, "=", 1);
		sl_api_pct_encode(&q, sorted[i]->v);
	}
	free(sorted);
	sl_sbuf_init(&sts);
	sl_sbuf_adds(&sts, method);
	sl_sbuf_adds(&sts, "&%2F&");
	sl_api_pct_encode(&sts, q.s ? q.s : "");
	if (q.oom)
		sts.oom = true;
	sl_sbuf_free(&q);
	return sl_sbuf_take(&sts);
}

int sl_api_hmac_sha1_b64(const char *secret, const char *sts, char out[64])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t klen = strlen(secret);
	char *key = malloc(klen + 2);

	if (key == NULL)
		return -ENOMEM;
	memcpy(key, secret, klen);
	key[klen] = '&';
	key[klen + 1] = '\0';
	if (HMAC(EVP_sha1(), key, (int)(klen + 1), (const unsigned char *)sts, strlen(sts), mac,
		 &maclen) == NULL) {
		OPENSSL_cleanse(key, klen + 1);
		free(key);
		return -EIO;
	}
	OPENSSL_cleanse(key, klen + 1);
	free(key);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
	return 0;
}

int sl_api_parse_time(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	const char *rest;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -EINVAL;
	rest = s + n;
	if (*rest == '.') {
		rest++;
		if (*rest < '0' || *rest > '9')
			return -EINVAL;
		while (*rest >= '0' && *rest <= '9')
			rest++;
	}
	if (strcmp(rest, "Z") != 0)
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = timegm(&tm);
	return 0;
}

/* ---- access keys -------------------------------------------------------- */

struct sl_api_keys {
	Pvoid_t by_id; /* JudySL id -> malloc'd secret */
	unsigned int n;
	char first[SL_JSL_KEY_MAX];
};

void sl_api_keys_free(struct sl_api_keys *k)
{
	char id[SL_JSL_KEY_MAX] = "";
	char *sec;

	if (k == NULL)
		return;
	for (sec = sl_jsl_first(k->by_id, id); sec; sec = sl_jsl_next(k->by_id, id)) {
		OPENSSL_cleanse(sec, strlen(sec));
		free(sec);
	}
	sl_jsl_free(&k->by_id);
	free(k);
}

const char *sl_api_keys_secret(const struct sl_api_keys *k, const char *id)
{
	if (strlen(id) >= SL_JSL_KEY_MAX)
		return NULL;
	return sl_jsl_get(k->by_id, id);
}

unsigned int sl_api_keys_count(const struct sl_api_keys *k)
{
	return k->n;
}

const char *sl_api_keys_first(const struct sl_api_keys *k)
{
	return k->n ? k->first : NULL;
}

/* n random characters of [A-Za-z0-9] (rejection sampling: no modulo bias). */
static int sl_rand_alnum(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t i = 0;

	while (i < n) {
		unsigned char b[64];

		if (RAND_bytes(b, sizeof(b)) != 1)
			return -EIO;
		for (size_t j = 0; j < sizeof(b) && i < n; j++)
			if (b[j] < 248) /* 248 = 4 * 62 */
				out[i++] = set[b[j] % 62];
	}
	out[n] = '\0';
	return 0;
}

static int sl_keys_generate(const char *path, char *err, size_t errlen)
{
	char id[32], secret[40], line[96];
	int fd, rc;
	ssize_t w;

	memcpy(id, "SLK", 3);
	if (sl_rand_alnum(id + 3, 21) < 0 || sl_rand_alnum(secret, 30) < 0) {
		snprintf(err, errlen, "RAND_bytes failed");
		return -EIO;
	}
	rc = snprintf(line, sizeof(line), "%s %s\n", id, secret);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return rc;
	}
	w = write(fd, line, (size_t)rc);
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(secret, sizeof(secret));
	if (w != (ssize_t)rc || fsync(fd) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		snprintf(err, errlen, "%s: cannot write", path);
		return rc ? rc : -EIO;
	}
	close(fd);
	return 0;
}

struct sl_api_keys *sl_api_keys_load(const char *path, bool create, bool *created, char *err,
				     size_t errlen)
{
	struct sl_api_keys *k;
	char line[1024];
	struct stat st;
	unsigned int lineno = 0;
	FILE *f;
	int fd;

	if (created)
		*created = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		if (sl_keys_generate(path, err, errlen) < 0)
			return NULL;
		if (created)
			*created = true;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "%s: mode %04o: access keys must not be readable by group or others "
			 "(chmod 600 %s)",
			 path, (unsigned int)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	k = calloc(1, sizeof(*k));
	if (f == NULL || k == NULL) {
		snprintf(err, errlen, "out of memory");
		if (f)
			fclose(f);
		else
			close(fd);
		free(k);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char id[SL_JSL_KEY_MAX], sec[512], extra[2];
		char *s = line, *dup;
		int n;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\0')
			continue;
		n = sscanf(s, "%255s %511s %1s", id, sec, extra);
		if (n != 2) {
			snprintf(err, errlen, "%s:%u: expected 'ACCESS_KEY_ID SECRET'", path,
				 lineno);
			goto fail;
		}
		dup = strdup(sec);
		OPENSSL_cleanse(sec, sizeof(sec));
		if (dup == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (sl_jsl_insert(&k->by_id, id, dup) < 0) {
			snprintf(err, errlen, "%s:%u: key %s listed twice (or out of memory)", path,
				 lineno, id);
			free(dup);
			goto fail;
		}
		if (k->n++ == 0)
			snprintf(k->first, sizeof(k->first), "%s", id);
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (k->n == 0) {
		snprintf(err, errlen, "%s: no access key in the file", path);
		sl_api_keys_free(k);
		return NULL;
	}
	return k;
fail:
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	sl_api_keys_free(k);
	return NULL;
}

/* ---- the authenticator ---------------------------------------------------- */

struct sl_nonce {
	struct sl_nonce *next;
	time_t expires;
	size_t len;
	char key[]; /* "AccessKeyId\0Nonce" */
};

struct sl_api_auth {
	const struct sl_api_keys *keys;
	struct sl_api_rate rates; /* per access key (sl_api_rate.h) */
	Pvoid_t nonces;		 /* JudyHS key bytes -> struct sl_nonce * */
	struct sl_nonce *head, *tail;
	unsigned int n_nonces;
	sl_api_nonce_fn on_nonce; /* persists new nonces (sluiced's database) */
	void *on_nonce_arg;
};

void sl_api_auth_set_nonce_hook(struct sl_api_auth *a, sl_api_nonce_fn fn, void *arg)
{
	a->on_nonce = fn;
	a->on_nonce_arg = arg;
}

struct sl_api_auth *sl_api_auth_new(const struct sl_api_keys *keys)
{
	struct sl_api_auth *a = calloc(1, sizeof(*a));

	if (a) {
		a->keys = keys;
		sl_api_rate_init(&a->rates, SL_API_RATE_DEFAULT);
	}
	return a;
}

void sl_api_auth_set_rate(struct sl_api_auth *a, unsigned int per_s)
{
	a->rates.per_s = per_s;
}

/*
 * Throttling (the document's `Throttling`, 400): checked after the
 * signature, so a forged request cannot spend another key's budget, and
 * before the nonce is remembered, so a throttled request may be retried
 * as it is. 0 or -1 with the error.
 */
static int sl_rate_take(struct sl_api_auth *a, const char *akid, struct sl_api_err *e)
{
	int rc = sl_api_rate_take(&a->rates, akid, sl_api_rate_now());

	if (rc < 0)
		return sl_api_fail(e, 500, "InternalError", "out of memory");
	if (rc == 0)
		return sl_api_fail(e, 400, "Throttling",
				   "Request was denied due to request throttling (%u requests/s "
				   "per access key).",
				   a->rates.per_s);
	return 0;
}

void sl_api_auth_free(struct sl_api_auth *a)
{
	if (a == NULL)
		return;
	while (a->head) {
		struct sl_nonce *n = a->head;

		a->head = n->next;
		free(n);
	}
	sl_jhs_free(&a->nonces);
	sl_api_rate_free(&a->rates);
	free(a);
}

static void sl_nonces_expire(struct sl_api_auth *a, time_t now)
{
	while (a->head && a->head->expires < now) {
		struct sl_nonce *n = a->head;

		sl_jhs_delete(&a->nonces, n->key, n->len);
		a->head = n->next;
		if (a->head == NULL)
			a->tail = NULL;
		a->n_nonces--;
		free(n);
	}
}

static int sl_nonce_use(struct sl_api_auth *a, const char *akid, const char *nonce, time_t now,
			struct sl_api_err *e);

static const char *sl_required[] = {"AccessKeyId", "Signature", "SignatureNonce", "Version",
				    "Action"};

int sl_api_auth_check(struct sl_api_auth *a, const char *method, const struct sl_api_params *p,
		      time_t now, struct sl_api_err *e)
{
	const char *akid, *sig, *nonce, *ts, *smethod, *sver, *secret;
	size_t siglen;
	char want[64];
	time_t t;
	char *sts;
	int rc;

	for (size_t i = 0; i < sizeof(sl_required) / sizeof(sl_required[0]); i++)
		if (sl_api_param(p, sl_required[i]) == NULL)
			return sl_api_fail(e, 400, "MissingParameter",
					   "The input parameter \"%s\" that is mandatory for "
					   "processing this request is not supplied.",
					   sl_required[i]);
	ts = sl_api_param(p, "Timestamp");
	if (ts == NULL)
		ts = sl_api_param(p, "TimeStamp");
	if (ts == NULL)
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"Timestamp\" that is mandatory for "
				   "processing this request is not supplied.");
	akid = sl_api_param(p, "AccessKeyId");
	sig = sl_api_param(p, "Signature");
	nonce = sl_api_param(p, "SignatureNonce");
	smethod = sl_api_param(p, "SignatureMethod");
	sver = sl_api_param(p, "SignatureVersion");
	if (smethod && strcmp(smethod, "HMAC-SHA1") != 0)
		return sl_api_fail(e, 400, "InvalidParamater",
				   "The specified parameter \"SignatureMethod\" is not valid: "
				   "only HMAC-SHA1 is supported.");
	if (sver && strcmp(sver, "1.0") != 0)
		return sl_api_fail(e, 400, "InvalidParamater",
				   "The specified parameter \"SignatureVersion\" is not valid: "
				   "only 1.0 is supported.");
	if (*nonce == '\0' || strlen(nonce) > 128)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter \"SignatureNonce\" is not valid "
				   "(1-128 characters).");
	secret = sl_api_keys_secret(a->keys, akid);
	if (secret == NULL)
		return sl_api_fail(e, 400, "InvalidAccessKeyId.NotFound",
				   "Specified access key is not found.");
	if (sl_api_parse_time(ts, &t) < 0)
		return sl_api_fail(e, 400, "IllegalTimestamp",
				   "The input parameter \"Timestamp\" is not in the format "
				   "YYYY-MM-DDThh:mm:ssZ (UTC).");
	if (t > now + SL_API_SKEW_S || t < now - SL_API_SKEW_S)
		return sl_api_fail(e, 400, "IllegalTimestamp",
				   "The input parameter \"Timestamp\" that is mandatory for "
				   "processing this request is more than %d s away from the "
				   "server's time.",
				   SL_API_SKEW_S);

	sts = sl_api_string_to_sign(method, p);
	if (sts == NULL)
		return sl_api_fail(e, 500, "InternalError", "out of memory");
	rc = sl_api_hmac_sha1_b64(secret, sts, want);
	if (rc < 0) {
		free(sts);
		return sl_api_fail(e, 500, "InternalError", "HMAC failed");
	}
	siglen = strlen(sig);
	if (siglen != strlen(want) || CRYPTO_memcmp(sig, want, siglen) != 0) {
		/* the document's code for a signature that does not verify; the
		 * message carries our StringToSign, as the service does, so a
		 * client author can find the canonicalisation difference */
		sl_api_fail(e, 400, "IncompleteSignature",
			    "The request signature does not conform to Aliyun standards. "
			    "server string to sign is:%.400s",
			    sts);
		free(sts);
		return -1;
	}
	free(sts);
	return sl_nonce_use(a, akid, nonce, now, e);
}

/* Insert a nonce expiring at `expires`: 0, -EEXIST, -ENOSPC or -ENOMEM. */
/* Is (akid, nonce) remembered? */
static bool sl_nonce_known(const struct sl_api_auth *a, const char *akid, const char *nonce)
{
	size_t alen = strlen(akid), nlen = strlen(nonce);
	char key[512];

	if (alen + 1 + nlen > sizeof(key))
		return false; /* longer than any remembered one can be: see insert */
	memcpy(key, akid, alen + 1);
	memcpy(key + alen + 1, nonce, nlen);
	return sl_jhs_get(a->nonces, key, alen + 1 + nlen) != NULL;
}

static int sl_nonce_insert(struct sl_api_auth *a, const char *akid, const char *nonce,
			   time_t expires)
{
	struct sl_nonce *ent;
	size_t alen, nlen;

	alen = strlen(akid);
	nlen = strlen(nonce);
	ent = malloc(sizeof(*ent) + alen + 1 + nlen);
	if (ent == NULL)
		return -ENOMEM;
	memcpy(ent->key, akid, alen + 1);
	memcpy(ent->key + alen + 1, nonce, nlen);
	ent->len = alen + 1 + nlen;
	ent->expires = expires;
	ent->next = NULL;
	if (sl_jhs_get(a->nonces, ent->key, ent->len)) {
		free(ent);
		return -EEXIST;
	}
	if (a->n_nonces >= SL_API_MAX_NONCES) {
		free(ent);
		return -ENOSPC;
	}
	if (sl_jhs_insert(&a->nonces, ent->key, ent->len, ent) < 0) {
		free(ent);
		return -ENOMEM;
	}
	if (a->tail)
		a->tail->next = ent;
	else
		a->head = ent;
	a->tail = ent;
	a->n_nonces++;
	return 0;
}

int sl_api_auth_remember(struct sl_api_auth *a, const char *akid, const char *nonce, time_t expires)
{
	int rc = sl_nonce_insert(a, akid, nonce, expires);

	return rc == -EEXIST ? 0 : rc;
}

/* Remember a nonce of a verified request; -1 if it was used before. */
static int sl_nonce_use(struct sl_api_auth *a, const char *akid, const char *nonce, time_t now,
			struct sl_api_err *e)
{
	time_t expires = now + 2 * SL_API_SKEW_S;
	int rc;

	sl_nonces_expire(a, now);
	/* a replay is refused before the budget is looked at: replaying
	 * captured requests must not spend the key's budget */
	if (sl_nonce_known(a, akid, nonce))
		return sl_api_fail(e, 400, "SignatureNonceUsed",
				   "The request signature nonce has been used.");
	if (sl_rate_take(a, akid, e) < 0)
		return -1;
	rc = sl_nonce_insert(a, akid, nonce, expires);
	if (rc == -EEXIST)
		return sl_api_fail(e, 400, "SignatureNonceUsed",
				   "The request signature nonce has been used.");
	if (rc == -ENOSPC)
		return sl_api_fail(e, 503, "ServiceUnavailable",
				   "Too many requests in the replay window; retry later.");
	if (rc < 0)
		return sl_api_fail(e, 500, "InternalError", "out of memory");
	if (a->on_nonce)
		a->on_nonce(akid, nonce, expires, a->on_nonce_arg);
	return 0;
}

/* ---- ACS3-HMAC-SHA256 ------------------------------------------------------ */

void sl_api_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];

	SHA256(data, len, md);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int sl_api_hmac_sha256_hex(const char *key, const char *msg, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), mac,
		 &maclen) == NULL ||
	    maclen != 32)
		return -EIO;
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* The value of a header (names are lowercase in `headers`). */
static const char *sl_hdr(const struct sl_api_params *h, const char *name)
{
	return h ? sl_api_param(h, name) : NULL;
}

/* Header value as the SDK canonicalises it: surrounding blanks trimmed. */
static void sl_add_trimmed(struct sl_sbuf *b, const char *v)
{
	const char *end;

	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	sl_sbuf_add(b, v, (size_t)(end - v));
}

char *sl_api_acs3_canonical(const char *method, const char *path, const struct sl_api_params *query,
			    const struct sl_api_params *headers, const char *signed_headers,
			    const char *payload_hash)
{
	const struct sl_api_param **sorted;
	struct sl_sbuf b;
	unsigned int n = 0;

	sorted = calloc(query->n + 1, sizeof(*sorted));
	if (sorted == NULL)
		return NULL;
	for (unsigned int i = 0; i < query->n; i++)
		sorted[n++] = &query->v[i];
	qsort(sorted, n, sizeof(*sorted), sl_param_cmp);
	sl_sbuf_init(&b);
	sl_sbuf_adds(&b, method);
	sl_sbuf_adds(&b, "\n");
	sl_api_pct_encode(&b, path);
	/* the path keeps its slashes */
	for (size_t i = 0; b.s && i + 2 < b.len; i++)
		if (memcmp(b.s + i, "%2F", 3) == 0) {
			b.s[i] = '/';
			memmove(b.s + i + 1, b.s + i + 3, b.len - i - 2);
			b.len -= 2;
		}
	sl_sbuf_adds(&b, "\n");
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			sl_sbuf_adds(&b, "&");
		sl_api_pct_encode(&b, sorted[i]->k);
		sl_sbuf_adds(&b, "=");
		sl_api_pct_encode(&b, sorted[i]->v);
	}
	free(sorted);
	sl_sbuf_adds(&b, "\n");
	/* signed headers: "a;b;c", already sorted by the signer */
	for (const char *c = signed_headers; *c;) {
		const char *end = strchr(c, ';');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		char name[128];
		const char *v;

		if (len == 0 || len >= sizeof(name)) {
			sl_sbuf_free(&b);
			errno = ENOENT;
			return NULL;
		}
		memcpy(name, c, len);
		name[len] = '\0';
		v = sl_hdr(headers, name);
		if (v == NULL) {
			sl_sbuf_free(&b);
			errno = ENOENT;
			return NULL;
		}
		sl_sbuf_adds(&b, name);
		sl_sbuf_adds(&b, ":");
		sl_add_trimmed(&b, v);
		sl_sbuf_adds(&b, "\n");
		c = end ? end + 1 : c + len;
	}
	sl_sbuf_adds(&b, "\n");
	sl_sbuf_adds(&b, signed_headers);
	sl_sbuf_adds(&b, "\n");
	sl_sbuf_adds(&b, payload_hash);
	return sl_sbuf_take(&b);
}

static const char *sl_acs3_required[] = {
    "host",	  "x-acs-action",	   "x-acs-version",
    "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"};

int sl_api_auth_check_acs3(struct sl_api_auth *a, const char *method, const char *path,
			   const struct sl_api_params *query, const struct sl_api_params *headers,
			   const char *body, size_t body_len, time_t now, struct sl_api_err *e)
{
	const char *auth = sl_hdr(headers, "authorization");
	const char *date = sl_hdr(headers, "x-acs-date");
	const char *nonce = sl_hdr(headers, "x-acs-signature-nonce");
	const char *phash = sl_hdr(headers, "x-acs-content-sha256");
	char cred[256], signed_h[1024], sig[128], want[65], body_hash[65], creq_hash[65];
	const char *secret;
	struct sl_sbuf sts;
	char *creq, *stss;
	time_t t;
	int n = 0;

	if (auth == NULL ||
	    sscanf(auth,
		   "ACS3-HMAC-SHA256 Credential=%255[^,],SignedHeaders=%1023[^,],Signature=%127s%n",
		   cred, signed_h, sig, &n) != 3 ||
	    auth[n] != '\0')
		return sl_api_fail(e, 400, "IncompleteSignature",
				   "The Authorization header is not 'ACS3-HMAC-SHA256 "
				   "Credential=ID,SignedHeaders=h1;h2,Signature=HEX'.");
	for (size_t i = 0; i < sizeof(sl_acs3_required) / sizeof(sl_acs3_required[0]); i++) {
		if (sl_hdr(headers, sl_acs3_required[i]) == NULL)
			return sl_api_fail(e, 400, "MissingParameter",
					   "The header \"%s\" that is mandatory for processing "
					   "this request is not supplied.",
					   sl_acs3_required[i]);
		if (!sl_api_in_sep_list(signed_h, ';', sl_acs3_required[i]))
			return sl_api_fail(e, 400, "IncompleteSignature",
					   "The header \"%s\" must be signed (SignedHeaders).",
					   sl_acs3_required[i]);
	}
	if (*nonce == '\0' || strlen(nonce) > 128)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The header \"x-acs-signature-nonce\" is not valid (1-128 "
				   "characters).");
	secret = sl_api_keys_secret(a->keys, cred);
	if (secret == NULL)
		return sl_api_fail(e, 400, "InvalidAccessKeyId.NotFound",
				   "Specified access key is not found.");
	if (sl_api_parse_time(date, &t) < 0)
		return sl_api_fail(e, 400, "IllegalTimestamp",
				   "The header \"x-acs-date\" is not in the format "
				   "YYYY-MM-DDThh:mm:ssZ (UTC).");
	if (t > now + SL_API_SKEW_S || t < now - SL_API_SKEW_S)
		return sl_api_fail(e, 400, "IllegalTimestamp",
				   "The header \"x-acs-date\" is more than %d s away from the "
				   "server's time.",
				   SL_API_SKEW_S);
	sl_api_sha256_hex(body ? body : "", body ? body_len : 0, body_hash);
	if (strcmp(body_hash, phash) != 0)
		return sl_api_fail(e, 400, "IncompleteSignature",
				   "The header \"x-acs-content-sha256\" is not the SHA-256 of the "
				   "request body.");
	creq = sl_api_acs3_canonical(method, path, query, headers, signed_h, phash);
	if (creq == NULL)
		return errno == ENOENT ? sl_api_fail(e, 400, "IncompleteSignature",
						     "A header listed in SignedHeaders is "
						     "missing or malformed.")
				       : sl_api_fail(e, 500, "InternalError", "out of memory");
	sl_api_sha256_hex(creq, strlen(creq), creq_hash);
	free(creq);
	sl_sbuf_init(&sts);
	sl_sbuf_adds(&sts, "ACS3-HMAC-SHA256\n");
	sl_sbuf_adds(&sts, creq_hash);
	stss = sl_sbuf_take(&sts);
	if (stss == NULL)
		return sl_api_fail(e, 500, "InternalError", "out of memory");
	if (sl_api_hmac_sha256_hex(secret, stss, want) < 0) {
		free(stss);
		return sl_api_fail(e, 500, "InternalError", "HMAC failed");
	}
	if (strlen(sig) != 64 || CRYPTO_memcmp(sig, want, 64) != 0) {
		sl_api_fail(e, 400, "IncompleteSignature",
			    "The request signature does not conform to Aliyun standards. "
			    "server string to sign is:%s",
			    stss);
		free(stss);
		return -1;
	}
	free(stss);
	return sl_nonce_use(a, cred, nonce, now, e);
}
