#include "domain/addresses.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "store/store.h"

/* Concurrent inserts into one book can pick the same free slot; the loser
 * tries again with the slots it sees then. */
#define ADDRESS_INSERT_TRIES 3

/* ISO 3166-1 alpha-2, the 249 assigned codes, in order. */
static const char countries[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCV"
	"CWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIM"
	"INIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMW"
	"MXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSS"
	"STSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

static char S_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

int address_country_valid(const char *code)
{
	char c0, c1;

	if (!code || strlen(code) != 2)
		return 0;
	c0 = S_upper(code[0]);
	c1 = S_upper(code[1]);
	for (size_t i = 0; countries[i]; i += 2)
		if (countries[i] == c0 && countries[i + 1] == c1)
			return 1;
	return 0;
}

/* Text a client may put in an address: no control characters (the fields
 * go into emails and labels as they are). */
static int S_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Only the characters of `allowed`, and a digit somewhere when `digit`. */
static int S_only(const char *s, const char *allowed, int digit)
{
	int seen = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			seen = 1;
		else if (!strchr(allowed, *s))
			return 0;
	}
	return seen || !digit;
}

static const char *S_or_empty(const char *s)
{
	return s ? s : "";
}

/* Checks every field of a complete address, recording each bad one. */
static void S_check(const char *const t[AT_COUNT], const char *country, mc_error *err)
{
	static const struct {
		const char *field;
		int required;
	} texts[AT_COUNT] = {
		[AT_NAME] = { "name", 1 }, [AT_LINE1] = { "line1", 1 }, [AT_LINE2] = { "line2", 0 },
		[AT_CITY] = { "city", 1 }, [AT_STATE] = { "state", 0 }, [AT_POSTAL_CODE] = { "postalCode", 0 },
		[AT_PHONE] = { "phone", 0 },
	};

	for (int i = 0; i < AT_COUNT; i++) {
		if (texts[i].required && !*t[i])
			mc_error_field(err, texts[i].field, "is required");
		else if (!S_printable(t[i]))
			mc_error_field(err, texts[i].field, "must not contain control characters");
	}
	if (!S_only(t[AT_POSTAL_CODE], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -", 0))
		mc_error_field(err, "postalCode", "may hold only letters, digits, spaces and hyphens");
	if (*t[AT_PHONE] && !S_only(t[AT_PHONE], "+-(). ", 1))
		mc_error_field(err, "phone", "must be digits, optionally with + - ( ) . and spaces");
	if (!address_country_valid(country))
		mc_error_field(err, "country", "must be an ISO 3166-1 alpha-2 code such as IN or US");
}

/* Puts the given fields of `in` over `base` (a deep copy into *out) and
 * checks the result. */
static mc_rc S_apply(const struct address *base, const struct address_input *in, struct address *out,
		     mc_error *err)
{
	static const unsigned bits[AT_COUNT] = {
		[AT_NAME] = AF_NAME, [AT_LINE1] = AF_LINE1, [AT_LINE2] = AF_LINE2, [AT_CITY] = AF_CITY,
		[AT_STATE] = AF_STATE, [AT_POSTAL_CODE] = AF_POSTAL_CODE, [AT_PHONE] = AF_PHONE,
	};
	const char *given[AT_COUNT] = { in->name, in->line1, in->line2, in->city, in->state, in->postal_code,
					in->phone };
	const char *old[AT_COUNT] = { base->name, base->line1, base->line2, base->city, base->state,
				      base->postal_code, base->phone };
	const char *t[AT_COUNT];
	struct address a = *base;
	mc_rc rc;

	for (int i = 0; i < AT_COUNT; i++)
		t[i] = S_or_empty(in->set & bits[i] ? given[i] : old[i]);
	if (in->set & AF_COUNTRY) {
		const char *c = S_or_empty(in->country);

		/* Stored upper case; any other length fails the check. */
		a.country[0] = strlen(c) == 2 ? S_upper(c[0]) : 0;
		a.country[1] = a.country[0] ? S_upper(c[1]) : 0;
		a.country[2] = 0;
	}
	S_check(t, a.country, err);
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	if (address_set_texts(&a, t))
		return MC_ERR_INTERNAL;
	*out = a;
	return MC_OK;
}

mc_rc address_from_input(const struct address_input *in, struct address *out, mc_error *err)
{
	struct address empty = { 0 };

	return S_apply(&empty, in, out, err);
}

mc_rc address_list(int64_t user_id, struct address **items, size_t *n)
{
	return store_address_list(user_id, items, n);
}

static mc_rc S_not_found(mc_rc rc, int64_t id, mc_error *err)
{
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "address_not_found", "no address %lld in your address book", (long long)id);
	return rc;
}

mc_rc address_get(int64_t user_id, int64_t id, struct address *out, mc_error *err)
{
	return S_not_found(store_address_get(user_id, id, out), id, err);
}

/* One try at an insert in its own transaction. */
static mc_rc S_insert(struct address *a, int make_default, mc_error *err)
{
	struct address *book = NULL;
	size_t n = 0;
	unsigned used = 0;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_address_list(a->user_id, &book, &n);
	if (rc)
		goto out;
	if (n >= MC_ADDRESSES_MAX) {
		rc = mc_fail(err, MC_ERR_UNPROCESSABLE, "too_many_addresses",
			     "an address book holds at most %d addresses; delete one first", MC_ADDRESSES_MAX);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (book[i].slot >= 1 && book[i].slot <= MC_ADDRESSES_MAX)
			used |= 1u << (book[i].slot - 1);
	for (a->slot = 1; used & (1u << (a->slot - 1)); a->slot++)
		;
	a->is_default = make_default || !n;
	if (a->is_default && n)
		rc = store_address_clear_default(a->user_id);
	if (!rc)
		rc = store_address_insert(a);
out:
	address_list_free(book, n);
	return store_finish(rc);
}

mc_rc address_create(int64_t user_id, const struct address_input *in, struct address *out, mc_error *err)
{
	struct address a;
	mc_rc rc = address_from_input(in, &a, err);

	if (rc)
		return rc;
	a.user_id = user_id;
	a.created_at = a.updated_at = clock_now();
	for (int i = 0; i < ADDRESS_INSERT_TRIES; i++)
		if ((rc = S_insert(&a, (in->set & AF_DEFAULT) && in->is_default, err)) != MC_ERR_CONFLICT)
			break;
	if (rc == MC_ERR_CONFLICT)
		rc = mc_fail(err, MC_ERR_CONFLICT, "address_book_busy", "the address book changed meanwhile; try again");
	if (rc) {
		address_release(&a);
		return rc;
	}
	*out = a;
	return MC_OK;
}

mc_rc address_update(int64_t user_id, int64_t id, const struct address_input *in, struct address *out,
		     mc_error *err)
{
	struct address old, a;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = address_get(user_id, id, &old, err);
	if (rc)
		return store_finish(rc);
	if ((in->set & AF_DEFAULT) && !in->is_default && old.is_default)
		rc = mc_fail(err, MC_ERR_UNPROCESSABLE, "default_required",
			     "one address stays the default: make another one the default instead");
	if (!rc)
		rc = S_apply(&old, in, &a, err);
	if (!rc) {
		a.updated_at = clock_now();
		if ((in->set & AF_DEFAULT) && in->is_default && !old.is_default) {
			a.is_default = 1;
			rc = store_address_clear_default(user_id);
		}
		if (!rc)
			rc = store_address_update(&a);
		if (rc)
			address_release(&a);
	}
	address_release(&old);
	rc = store_finish(rc);
	if (rc)
		return rc == MC_ERR_CONFLICT ? mc_fail(err, rc, "address_book_busy",
						       "the address book changed meanwhile; try again") : rc;
	*out = a;
	return MC_OK;
}

mc_rc address_delete(int64_t user_id, int64_t id, mc_error *err)
{
	struct address old;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = address_get(user_id, id, &old, err);
	if (!rc) {
		rc = store_address_delete(user_id, id);
		if (!rc && old.is_default)
			rc = store_address_promote_oldest(user_id);
		address_release(&old);
	}
	return store_finish(rc);
}

mc_rc address_for_order(int64_t user_id, int64_t id, const struct address_input *in, struct address **out,
			mc_error *err)
{
	struct address *a = calloc(1, sizeof(*a));
	mc_rc rc;

	if (!a)
		return MC_ERR_INTERNAL;
	rc = in ? address_from_input(in, a, err) : address_get(user_id, id, a, err);
	if (rc) {
		free(a);
		return rc;
	}
	/* An order's copy is its texts: none of the book entry's own fields. */
	a->id = a->user_id = a->slot = a->created_at = a->updated_at = 0;
	a->is_default = 0;
	*out = a;
	return MC_OK;
}
