// A persistent faiss index of gallery features: inner product over L2-normalised vectors (cosine
// similarity), each vector under a caller-chosen 64-bit id: exact (faiss IndexIDMap2 over
// IndexFlatIP) or approximate (IndexIVFFlat).
#ifndef CTORCH_FAISS_H
#define CTORCH_FAISS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_faiss_index ct_faiss_index;

// A new empty index of dimension d; NULL on error (ct_last_error).
ct_faiss_index *ct_faiss_new(int64_t d);
// A new empty inverted-file index (IndexIVFFlat, inner product, `lists` cells over an IndexFlatIP
// quantizer) that keeps the ids it is given; train it before adding. NULL on error.
ct_faiss_index *ct_faiss_new_ivf(int64_t d, int64_t lists);
// Trains the index's quantizer on n row-major vectors (k-means). 0 or -1.
int ct_faiss_train(ct_faiss_index *index, const float *vectors, int64_t n);
int ct_faiss_is_trained(const ct_faiss_index *index);
// Cells of an inverted-file index (0 for an exact one), and how many are searched per query.
int64_t ct_faiss_lists(const ct_faiss_index *index);
int64_t ct_faiss_probes(const ct_faiss_index *index);
int ct_faiss_set_probes(ct_faiss_index *index, int64_t probes);
// Reads an index written by ct_faiss_write; NULL on error.
ct_faiss_index *ct_faiss_read(const char *path);
// Writes the index to `path` (the caller renames a temporary file into place). 0 or -1.
int ct_faiss_write(const ct_faiss_index *index, const char *path);
void ct_faiss_free(ct_faiss_index *index);
int64_t ct_faiss_count(const ct_faiss_index *index);
int64_t ct_faiss_dimension(const ct_faiss_index *index);
// Adds n row-major vectors with their ids. 0 or -1.
int ct_faiss_add(ct_faiss_index *index, const float *vectors, const int64_t *ids, int64_t n);
// Removes the given ids; writes how many were found to *removed. 0 or -1.
int ct_faiss_remove(ct_faiss_index *index, const int64_t *ids, int64_t n, int64_t *removed);
// The k largest inner products of each of nq queries: n*k ids (-1 past the end) and scores.
// Safe to call from several threads at once while no thread adds or removes.
int ct_faiss_search(const ct_faiss_index *index, const float *queries, int64_t nq, int64_t k,
                    int64_t *ids, float *scores);

#ifdef __cplusplus
}
#endif
#endif
