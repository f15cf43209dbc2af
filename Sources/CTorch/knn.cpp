// faiss k-NN search (see ctorch_knn.h).
#include "ctorch_knn.h"
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <exception>
#include <string>

namespace ctorch {
void set_error(const char *msg);
}

extern "C" int ct_knn_self(const float *x, int64_t n, int64_t d, int64_t k, int64_t nlist, int64_t nprobe,
                           int64_t *labels, float *distances) {
    try {
        if (nlist <= 0) {
            faiss::IndexFlatL2 index(d);
            index.add(n, x);
            index.search(n, x, k, distances, labels);
        } else {
            faiss::IndexFlatL2 quantizer(d);
            faiss::IndexIVFFlat index(&quantizer, d, nlist, faiss::METRIC_L2);
            index.cp.niter = 10;  // k-means iterations for the coarse quantizer (faiss default 25)
            index.train(n, x);
            index.add(n, x);
            index.nprobe = nprobe > 0 ? nprobe : 1;
            index.search(n, x, k, distances, labels);
        }
        return 0;
    } catch (const std::exception &e) {
        ctorch::set_error((std::string("faiss: ") + e.what()).c_str());
        return -1;
    }
}
