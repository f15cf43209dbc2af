// k-nearest-neighbour search through faiss (exact flat L2, or IVF for large sets).
#ifndef CTORCH_KNN_H
#define CTORCH_KNN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Searches the k nearest of vectors first ..< first + count among all n row-major d-dimensional
// `vectors` by squared L2 distance, exactly (faiss IndexFlatL2). Writes count*k labels and
// distances. 0 on success, -1 on error.
int ct_knn_self(const float *vectors, int64_t n, int64_t d, int64_t k, int64_t first, int64_t count, int64_t *labels,
                float *distances);

// faiss k-means: nlist centroids trained in niter iterations on at most points_per_list * nlist
// sampled vectors; then each vector's nprobe nearest centroids, nearest first (n*nprobe probes).
int ct_faiss_coarse_assign(const float *vectors, int64_t n, int64_t d, int64_t nlist, int64_t niter,
                           int64_t points_per_list, int64_t nprobe, int64_t *probes);

// faiss's top-k heaps (faiss/utils/Heap.h), one per row, k (value, id) pairs each, row-major.
// larger != 0 keeps the k largest values (faiss CMin heap), else the k smallest (CMax). A fresh
// heap is all −inf (larger) or +inf values with id −1.
// Offers row r of `values` (ni rows of nj values, leading dimension ld) to heap r, with ids
// j0 ..< j0 + nj.
void ct_heap_add_rows(int64_t k, int larger, float *heap_values, int64_t *heap_ids, int64_t ni,
                      const float *values, int64_t nj, int64_t ld, int64_t j0);
// Offers row r of `values` (ni rows of nj, leading dimension ld) to heap heap_rows[r], with ids
// column_ids[0 ..< nj].
void ct_heap_add_scattered(int64_t k, int larger, float *heap_values, int64_t *heap_ids, const int64_t *heap_rows,
                           int64_t ni, const float *values, int64_t nj, int64_t ld, const int64_t *column_ids);
// Sorts each of n heaps best first (faiss heap_reorder).
void ct_heap_sort_rows(int64_t k, int larger, float *heap_values, int64_t *heap_ids, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
