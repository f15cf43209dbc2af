// k-NN search of a set among itself (see ctorch_knn.h): faiss for the exact search and for the
// coarse quantizer of the inverted-file search, ATen matrix products for scanning the lists.
#include "common.h"
#include "ctorch_knn.h"
#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/Heap.h>
#include <numeric>
#include <exception>
#include <limits>
#include <string>
#include <vector>

namespace {

// Inverted-file search whose list scans are matrix products: every list is compared with all the
// queries that probe it in one GEMM, and each query keeps the top k of every probed list before a
// final top k over its nprobe * k candidates. Same visited set as faiss's IndexIVFFlat (exact
// distances within the probed lists), but at GEMM speed rather than one vector at a time.
void ivf_by_products(const float *x, int64_t n, int64_t d, int64_t k, int64_t nlist, int64_t nprobe,
                     int64_t *labels, float *distances) {
    faiss::IndexFlatL2 quantizer(d);
    faiss::ClusteringParameters cp;
    cp.niter = 10;                   // k-means iterations (faiss default 25)
    cp.max_points_per_centroid = 64; // trains on a sample of 64 * nlist vectors
    faiss::Clustering clustering(d, nlist, cp);
    clustering.train(n, x, quantizer);
    nprobe = std::min(nprobe, nlist);
    std::vector<float> probe_distances(n * nprobe);
    std::vector<faiss::Index::idx_t> probes(n * nprobe);
    quantizer.search(n, x, nprobe, probe_distances.data(), probes.data());

    // Members of each list (by nearest centroid) and, per list, the (query, slot) pairs probing it.
    std::vector<std::vector<int64_t>> members(nlist), queries(nlist), slots(nlist);
    for (int64_t i = 0; i < n; i++) {
        members[probes[i * nprobe]].push_back(i);
        for (int64_t s = 0; s < nprobe; s++) {
            queries[probes[i * nprobe + s]].push_back(i);
            slots[probes[i * nprobe + s]].push_back(i * nprobe + s);
        }
    }
    at::NoGradGuard no_grad;
    auto X = at::from_blob(const_cast<float *>(x), {n, d}, at::kFloat);
    auto longs = at::TensorOptions().dtype(at::kLong);
    // Ranked by 2 q.x - |x|^2 (larger is nearer; |q|^2 is added back at the end).
    auto squared_norms = X.mul(X).sum(1);
    auto best = at::full({n * nprobe, k}, -std::numeric_limits<float>::infinity(), at::kFloat);
    auto best_index = at::full({n * nprobe, k}, -1, longs);
    for (int64_t l = 0; l < nlist; l++) {
        if (members[l].empty() || queries[l].empty()) continue;
        auto member_ids = at::from_blob(members[l].data(), {(int64_t)members[l].size()}, longs);
        auto query_ids = at::from_blob(queries[l].data(), {(int64_t)queries[l].size()}, longs);
        auto slot_ids = at::from_blob(slots[l].data(), {(int64_t)slots[l].size()}, longs);
        auto similarity = at::mm(X.index_select(0, query_ids), X.index_select(0, member_ids).t())
                              .mul_(2.0f)
                              .sub_(squared_norms.index_select(0, member_ids).unsqueeze(0));
        int64_t kk = std::min<int64_t>(k, (int64_t)members[l].size());
        auto top = at::topk(similarity, kk, 1, true, true);
        auto found = member_ids.index_select(0, std::get<1>(top).reshape({-1})).reshape({-1, kk});
        best.narrow(1, 0, kk).index_copy_(0, slot_ids, std::get<0>(top));
        best_index.narrow(1, 0, kk).index_copy_(0, slot_ids, found);
    }
    auto candidates = best.view({n, nprobe * k});
    auto candidate_ids = best_index.view({n, nprobe * k});
    auto top = at::topk(candidates, k, 1, true, true);
    auto ids = candidate_ids.gather(1, std::get<1>(top)).contiguous();
    auto squared_l2 = (squared_norms.unsqueeze(1) - std::get<0>(top)).contiguous();
    std::memcpy(labels, ids.data_ptr<int64_t>(), sizeof(int64_t) * n * k);
    std::memcpy(distances, squared_l2.data_ptr<float>(), sizeof(float) * n * k);
}

} // namespace

extern "C" int ct_knn_self(const float *x, int64_t n, int64_t d, int64_t k, int64_t nlist, int64_t nprobe,
                           int64_t *labels, float *distances) {
    try {
        if (nlist <= 0) {
            faiss::IndexFlatL2 index(d);
            index.add(n, x);
            index.search(n, x, k, distances, labels);
        } else {
            ivf_by_products(x, n, d, k, nlist, nprobe > 0 ? nprobe : 1, labels, distances);
        }
        return 0;
    } catch (const std::exception &e) {
        ctorch::set_error((std::string("knn: ") + e.what()).c_str());
        return -1;
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
