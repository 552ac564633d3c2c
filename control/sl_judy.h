/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error-checked Judy wrappers.
 *
 * Judy's convenience macros (JSLI, JLI, J1S, ...) call exit(1) on any
 * internal error, which a daemon must never do. These wrappers call the
 * functions with a JError_t and turn failures into negative errno values
 * (-ENOMEM for allocation failures, -EIO for a corrupt array).
 *
 * Values stored in JudySL/JudyL/JudyHS arrays are non-NULL pointers: a NULL
 * value slot means "just inserted", which is how -EEXIST is detected.
 *
 * Concurrency: none; arrays belong to one thread (sluiced's loop).
 */
#ifndef SL_JUDY_H
#define SL_JUDY_H

#include <stddef.h>
#include <stdint.h>

#include <Judy.h>

/** Longest JudySL key the wrappers accept (iteration buffers use it). */
#define SL_JSL_KEY_MAX 256

/* JudySL: NUL-terminated string -> pointer */
int sl_jsl_insert(Pvoid_t *arr, const char *key, void *val); /* -EEXIST */
void *sl_jsl_get(Pcvoid_t arr, const char *key);
int sl_jsl_delete(Pvoid_t *arr, const char *key); /* -ENOENT */
/** Iteration in key order: pass key[0] = '\0' to start with first. */
void *sl_jsl_first(Pcvoid_t arr, char key[SL_JSL_KEY_MAX]);
void *sl_jsl_next(Pcvoid_t arr, char key[SL_JSL_KEY_MAX]);
void sl_jsl_free(Pvoid_t *arr);

/* JudyL: word -> pointer */
int sl_jl_insert(Pvoid_t *arr, Word_t idx, void *val); /* -EEXIST */
void *sl_jl_get(Pcvoid_t arr, Word_t idx);
int sl_jl_delete(Pvoid_t *arr, Word_t idx);
void *sl_jl_first(Pcvoid_t arr, Word_t *idx); /* from *idx inclusive */
void *sl_jl_next(Pcvoid_t arr, Word_t *idx);
void sl_jl_free(Pvoid_t *arr);

/* Judy1: set of words */
int sl_j1_set(Pvoid_t *arr, Word_t idx); /* 1 newly set, 0 was set, <0 error */
int sl_j1_test(Pcvoid_t arr, Word_t idx);
int sl_j1_unset(Pvoid_t *arr, Word_t idx);
/** Lowest index >= *idx not in the set: 0 and *idx set, or -ENOSPC. */
int sl_j1_first_empty(Pcvoid_t arr, Word_t *idx);
int sl_j1_first(Pcvoid_t arr, Word_t *idx); /* 1 found (>= *idx), 0 none */
int sl_j1_next(Pcvoid_t arr, Word_t *idx);
Word_t sl_j1_count(Pcvoid_t arr);
void sl_j1_free(Pvoid_t *arr);

/* JudyHS: byte string of any length -> pointer (no iteration) */
int sl_jhs_insert(Pvoid_t *arr, const void *key, size_t len, void *val); /* -EEXIST */
void *sl_jhs_get(Pcvoid_t arr, const void *key, size_t len);
int sl_jhs_delete(Pvoid_t *arr, const void *key, size_t len);
void sl_jhs_free(Pvoid_t *arr);

#endif /* SL_JUDY_H */
