// k-NN search of a set among itself (see ctorch_knn.h): faiss's exact search, its k-means coarse
// quantizer for the inverted-file search (whose list scans are in Swift), and its top-k heaps.
#include "common.h"
#include "ctorch_knn.h"
#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/Heap.h>
#include <numeric>
#include <exception>
#include <string>
#include <vector>


extern "C" int ct_knn_self(const float *x, int64_t n, int64_t d, int64_t k, int64_t first, int64_t count,
                           int64_t *labels, float *distances) {
    try {
        faiss::IndexFlatL2 index(d);
        index.add(n, x);
        index.search(count, x + first * d, k, distances, labels);
        return 0;
    } catch (const std::exception &e) {
        ctorch::set_error((std::string("knn: ") + e.what()).c_str());
        return -1;
    }
}

extern "C" int ct_faiss_coarse_assign(const float *x, int64_t n, int64_t d, int64_t nlist, int64_t niter,
                                      int64_t points_per_list, int64_t nprobe, int64_t *probes) {
    try {
        faiss::IndexFlatL2 quantizer(d);
        faiss::ClusteringParameters cp;
        cp.niter = static_cast<int>(niter);
        cp.max_points_per_centroid = static_cast<int>(points_per_list);
        faiss::Clustering clustering(d, nlist, cp);
        clustering.train(n, x, quantizer);
        std::vector<float> distances(n * nprobe);
        quantizer.search(n, x, nprobe, distances.data(), probes);
        return 0;
    } catch (const std::exception &e) {
        ctorch::set_error((std::string("k-means: ") + e.what()).c_str());
        return -1;
    }
}

extern "C" void ct_heap_add_scattered(int64_t k, int larger, float *heap_values, int64_t *heap_ids,
                                      const int64_t *heap_rows, int64_t ni, const float *values, int64_t nj,
                                      int64_t ld, const int64_t *column_ids) {
    for (int64_t r = 0; r < ni; r++) {
        int64_t h = heap_rows[r];
        if (larger)
            faiss::minheap_addn<float>(k, heap_values + h * k, heap_ids + h * k, values + r * ld, column_ids, nj);
        else
            faiss::maxheap_addn<float>(k, heap_values + h * k, heap_ids + h * k, values + r * ld, column_ids, nj);
    }
}

extern "C" void ct_heap_add_rows(int64_t k, int larger, float *heap_values, int64_t *heap_ids, int64_t ni,
                                 const float *values, int64_t nj, int64_t ld, int64_t j0) {
    std::vector<int64_t> ids(nj);
    std::iota(ids.begin(), ids.end(), j0);
    for (int64_t r = 0; r < ni; r++) {
        if (larger)
            faiss::minheap_addn<float>(k, heap_values + r * k, heap_ids + r * k, values + r * ld, ids.data(), nj);
        else
            faiss::maxheap_addn<float>(k, heap_values + r * k, heap_ids + r * k, values + r * ld, ids.data(), nj);
    }
}

extern "C" void ct_heap_sort_rows(int64_t k, int larger, float *heap_values, int64_t *heap_ids, int64_t n) {
    for (int64_t r = 0; r < n; r++) {
        if (larger)
            faiss::minheap_reorder<float>(k, heap_values + r * k, heap_ids + r * k);
        else
            faiss::maxheap_reorder<float>(k, heap_values + r * k, heap_ids + r * k);
    }
}
