/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Judy wrappers that never exit().
 *
 * Design note: every call passes a JError_t and maps JU_ERRNO_NOMEM to
 * -ENOMEM and anything else to -EIO (a corrupt or misused array is a bug,
 * but the daemon keeps its old state and reports it instead of dying).
 */
#include <errno.h>
#include <string.h>

#include "sl_judy.h"

static int sl_judy_errno(const JError_t *je)
{
	return JU_ERRNO(je) == JU_ERRNO_NOMEM ? -ENOMEM : -EIO;
}

/* ---- JudySL ------------------------------------------------------------ */

int sl_jsl_insert(Pvoid_t *arr, const char *key, void *val)
{
	JError_t je;
	PPvoid_t pv;

	if (strlen(key) >= SL_JSL_KEY_MAX)
		return -ENAMETOOLONG;
	pv = JudySLIns(arr, (const uint8_t *)key, &je);
	if (pv == PPJERR)
		return sl_judy_errno(&je);
	if (*pv != NULL)
		return -EEXIST;
	*pv = val;
	return 0;
}

void *sl_jsl_get(Pcvoid_t arr, const char *key)
{
	PPvoid_t pv = JudySLGet(arr, (const uint8_t *)key, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

int sl_jsl_delete(Pvoid_t *arr, const char *key)
{
	JError_t je;
	int rc = JudySLDel(arr, (const uint8_t *)key, &je);

	if (rc == JERR)
		return sl_judy_errno(&je);
	return rc == 1 ? 0 : -ENOENT;
}

void *sl_jsl_first(Pcvoid_t arr, char key[SL_JSL_KEY_MAX])
{
	PPvoid_t pv = JudySLFirst(arr, (uint8_t *)key, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

void *sl_jsl_next(Pcvoid_t arr, char key[SL_JSL_KEY_MAX])
{
	PPvoid_t pv = JudySLNext(arr, (uint8_t *)key, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

void sl_jsl_free(Pvoid_t *arr)
{
	JudySLFreeArray(arr, PJE0);
	*arr = NULL;
}

/* ---- JudyL ------------------------------------------------------------- */

int sl_jl_insert(Pvoid_t *arr, Word_t idx, void *val)
{
	JError_t je;
	PPvoid_t pv = JudyLIns(arr, idx, &je);

	if (pv == PPJERR)
		return sl_judy_errno(&je);
	if (*pv != NULL)
		return -EEXIST;
	*pv = val;
	return 0;
}

void *sl_jl_get(Pcvoid_t arr, Word_t idx)
{
	PPvoid_t pv = JudyLGet(arr, idx, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

int sl_jl_delete(Pvoid_t *arr, Word_t idx)
{
	JError_t je;
	int rc = JudyLDel(arr, idx, &je);

	if (rc == JERR)
		return sl_judy_errno(&je);
	return rc == 1 ? 0 : -ENOENT;
}

void *sl_jl_first(Pcvoid_t arr, Word_t *idx)
{
	PPvoid_t pv = JudyLFirst(arr, idx, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

void *sl_jl_next(Pcvoid_t arr, Word_t *idx)
{
	PPvoid_t pv = JudyLNext(arr, idx, PJE0);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

void sl_jl_free(Pvoid_t *arr)
{
	JudyLFreeArray(arr, PJE0);
	*arr = NULL;
}

/* ---- Judy1 ------------------------------------------------------------- */

int sl_j1_set(Pvoid_t *arr, Word_t idx)
{
	JError_t je;
	int rc = Judy1Set(arr, idx, &je);

	return rc == JERR ? sl_judy_errno(&je) : rc;
}

int sl_j1_test(Pcvoid_t arr, Word_t idx)
{
	int rc = Judy1Test(arr, idx, PJE0);

	return rc == JERR ? 0 : rc;
}

int sl_j1_unset(Pvoid_t *arr, Word_t idx)
{
	JError_t je;
	int rc = Judy1Unset(arr, idx, &je);

	return rc == JERR ? sl_judy_errno(&je) : rc;
}

int sl_j1_first_empty(Pcvoid_t arr, Word_t *idx)
{
	JError_t je;
	int rc = Judy1FirstEmpty(arr, idx, &je);

	if (rc == JERR)
		return sl_judy_errno(&je);
	return rc == 1 ? 0 : -ENOSPC;
}

int sl_j1_first(Pcvoid_t arr, Word_t *idx)
{
	int rc = Judy1First(arr, idx, PJE0);

	return rc == JERR ? 0 : rc;
}

int sl_j1_next(Pcvoid_t arr, Word_t *idx)
{
	int rc = Judy1Next(arr, idx, PJE0);

	return rc == JERR ? 0 : rc;
}

Word_t sl_j1_count(Pcvoid_t arr)
{
	Word_t n = Judy1Count(arr, 0, ~(Word_t)0, PJE0);

	return n == (Word_t)JERR ? 0 : n;
}

void sl_j1_free(Pvoid_t *arr)
{
	Judy1FreeArray(arr, PJE0);
	*arr = NULL;
}

/* ---- JudyHS ------------------------------------------------------------ */

int sl_jhs_insert(Pvoid_t *arr, const void *key, size_t len, void *val)
{
	JError_t je;
	PPvoid_t pv = JudyHSIns(arr, (void *)(uintptr_t)key, len, &je);

	if (pv == PPJERR)
		return sl_judy_errno(&je);
	if (*pv != NULL)
		return -EEXIST;
	*pv = val;
	return 0;
}

void *sl_jhs_get(Pcvoid_t arr, const void *key, size_t len)
{
	PPvoid_t pv = JudyHSGet(arr, (void *)(uintptr_t)key, len);

	return (pv == NULL || pv == PPJERR) ? NULL : *pv;
}

int sl_jhs_delete(Pvoid_t *arr, const void *key, size_t len)
{
	JError_t je;
	int rc = JudyHSDel(arr, (void *)(uintptr_t)key, len, &je);

	if (rc == JERR)
		return sl_judy_errno(&je);
	return rc == 1 ? 0 : -ENOENT;
}

void sl_jhs_free(Pvoid_t *arr)
{
	JudyHSFreeArray(arr, PJE0);
	*arr = NULL;
}
