// Shared helpers for the CTorch translation units: error capture and handle conversion.
#pragma once
#include "ctorch.h"
#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ctorch {

void set_error(const char *msg);

inline at::Tensor &T(ct_tensor t) { return *reinterpret_cast<at::Tensor *>(t); }
inline ct_tensor wrap(at::Tensor t) { return reinterpret_cast<ct_tensor>(new at::Tensor(std::move(t))); }
inline c10::optional<at::Tensor> opt(ct_tensor t) {
    if (!t) return c10::nullopt;
    return T(t);
}
inline at::IntArrayRef ints(const int64_t *p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
inline at::Device device(int type, int index) {
    return type == 1 ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)) : at::Device(at::kCPU);
}
inline at::TensorOptions options(int dtype, int type, int index) {
    return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(device(type, index));
}
// A malloc'd copy of `s` for the caller to free with ct_free.
inline char *dup(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}
inline std::vector<at::Tensor> list(const ct_tensor *items, int n) {
    std::vector<at::Tensor> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i) v.push_back(T(items[i]));
    return v;
}

} // namespace ctorch

// Run `body`; on a C++ exception record its message and fall through to the caller's
// failure return. c10 errors carry a backtrace that users should not see: strip it.
#define CT_TRY(...)                                                                   \
    try {                                                                              \
        __VA_ARGS__                                                                    \
    } catch (const c10::Error &e) {                                                    \
        ctorch::set_error(e.what_without_backtrace());                                 \
    } catch (const std::exception &e) {                                                \
        ctorch::set_error(e.what());                                                   \
    } catch (...) {                                                                    \
        ctorch::set_error("unknown C++ exception");                                    \
    }

#define CT_TENSOR(...) CT_TRY(return ctorch::wrap(__VA_ARGS__);) return nullptr;
#define CT_STATUS(...) CT_TRY(__VA_ARGS__; return 0;) return -1;
