// A persistent faiss index for gallery search (see ctorch_faiss.h).
#include "ctorch_faiss.h"
#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <exception>
#include <memory>
#include <string>

namespace ctorch {
void set_error(const char *msg);
}

struct ct_faiss_index {
    std::unique_ptr<faiss::Index> index;
};

#define CT_FAISS_TRY(body, fail)                                                  \
    try {                                                                          \
        body                                                                       \
    } catch (const std::exception &e) {                                            \
        ctorch::set_error((std::string("faiss: ") + e.what()).c_str());            \
        fail;                                                                      \
    }

extern "C" ct_faiss_index *ct_faiss_new(int64_t d) {
    CT_FAISS_TRY({
        auto map = std::make_unique<faiss::IndexIDMap2>(new faiss::IndexFlatIP(d));
        map->own_fields = true;
        return new ct_faiss_index{std::move(map)};
    }, return nullptr)
}

extern "C" ct_faiss_index *ct_faiss_read(const char *path) {
    CT_FAISS_TRY({
        std::unique_ptr<faiss::Index> index(faiss::read_index(path));
        if (!dynamic_cast<faiss::IndexIDMap2 *>(index.get())) {
            ctorch::set_error((std::string(path) + ": not a SwiftReID gallery index (IndexIDMap2)").c_str());
            return nullptr;
        }
        return new ct_faiss_index{std::move(index)};
    }, return nullptr)
}

extern "C" int ct_faiss_write(const ct_faiss_index *index, const char *path) {
    CT_FAISS_TRY({
        faiss::write_index(index->index.get(), path);
        return 0;
    }, return -1)
}

extern "C" void ct_faiss_free(ct_faiss_index *index) { delete index; }
extern "C" int64_t ct_faiss_count(const ct_faiss_index *index) { return index->index->ntotal; }
extern "C" int64_t ct_faiss_dimension(const ct_faiss_index *index) { return index->index->d; }

extern "C" int ct_faiss_add(ct_faiss_index *index, const float *vectors, const int64_t *ids, int64_t n) {
    CT_FAISS_TRY({
        index->index->add_with_ids(n, vectors, ids);
        return 0;
    }, return -1)
}

extern "C" int ct_faiss_remove(ct_faiss_index *index, const int64_t *ids, int64_t n, int64_t *removed) {
    CT_FAISS_TRY({
        faiss::IDSelectorBatch selector(n, ids);
        *removed = (int64_t)index->index->remove_ids(selector);
        return 0;
    }, return -1)
}

extern "C" int ct_faiss_search(const ct_faiss_index *index, const float *queries, int64_t nq, int64_t k,
                               int64_t *ids, float *scores) {
    CT_FAISS_TRY({
        index->index->search(nq, queries, k, scores, ids);
        return 0;
    }, return -1)
}
