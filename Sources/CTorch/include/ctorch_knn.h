// k-nearest-neighbour search through faiss (exact flat L2, or IVF for large sets).
#ifndef CTORCH_KNN_H
#define CTORCH_KNN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Searches the k nearest of each of the n row-major d-dimensional `vectors` among themselves by
// squared L2 distance. nlist == 0: exact (faiss IndexFlatL2); else an inverted-file search with
// nlist lists (faiss k-means on a sample) probing nprobe lists, exact within them, whose list scans
// are ATen matrix products. Writes n*k labels and distances. 0 on success, -1 on error.
int ct_knn_self(const float *vectors, int64_t n, int64_t d, int64_t k, int64_t nlist, int64_t nprobe,
                int64_t *labels, float *distances);

#ifdef __cplusplus
}
#endif
#endif
