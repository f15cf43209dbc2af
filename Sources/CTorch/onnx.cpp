// ONNX files through libonnx's protobuf classes: ModelProto <-> (JSON, named tensors).
// Only conversion lives here; interpreting the graph is the Swift side's job.
#include "common.h"
#include "ctorch_onnx.h"
#include <onnx/onnx_pb.h>
#include <google/protobuf/util/json_util.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>

using namespace ctorch;

namespace {

// An error whose message names the file.
struct file_error : std::runtime_error {
    file_error(const std::string &path, const std::string &why) : std::runtime_error(path + ": " + why) {}
};

at::ScalarType scalar_type(int onnx_type, const std::string &what) {
    switch (onnx_type) {
    case onnx::TensorProto::FLOAT: return at::kFloat;
    case onnx::TensorProto::UINT8: return at::kByte;
    case onnx::TensorProto::INT8: return at::kChar;
    case onnx::TensorProto::INT16: return at::kShort;
    case onnx::TensorProto::INT32: return at::kInt;
    case onnx::TensorProto::INT64: return at::kLong;
    case onnx::TensorProto::BOOL: return at::kBool;
    case onnx::TensorProto::FLOAT16: return at::kHalf;
    case onnx::TensorProto::DOUBLE: return at::kDouble;
    case onnx::TensorProto::BFLOAT16: return at::kBFloat16;
    }
    throw std::invalid_argument(what + " has ONNX data type " + std::to_string(onnx_type) +
                                ", which libtorch cannot hold");
}

int onnx_type(at::ScalarType t, const std::string &what) {
    switch (t) {
    case at::kFloat: return onnx::TensorProto::FLOAT;
    case at::kByte: return onnx::TensorProto::UINT8;
    case at::kChar: return onnx::TensorProto::INT8;
    case at::kShort: return onnx::TensorProto::INT16;
    case at::kInt: return onnx::TensorProto::INT32;
    case at::kLong: return onnx::TensorProto::INT64;
    case at::kBool: return onnx::TensorProto::BOOL;
    case at::kHalf: return onnx::TensorProto::FLOAT16;
    case at::kDouble: return onnx::TensorProto::DOUBLE;
    case at::kBFloat16: return onnx::TensorProto::BFLOAT16;
    default: throw std::invalid_argument(what + ": dtype " + std::string(c10::toString(t)) + " has no ONNX type");
    }
}

template <typename Field> at::Tensor from_field(const Field &values, at::ScalarType as, std::vector<int64_t> dims) {
    using V = typename Field::value_type;
    std::vector<V> copy(values.begin(), values.end());
    return at::from_blob(copy.data(), {static_cast<int64_t>(copy.size())}, c10::CppTypeToScalarType<V>::value)
        .clone()
        .to(as)
        .reshape(dims);
}

// One TensorProto as a tensor: raw_data (little-endian bytes) or the typed repeated field that
// onnx.proto assigns to the data type.
at::Tensor to_tensor(const onnx::TensorProto &t, const std::string &what) {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
        throw std::invalid_argument(what + " keeps its data in an external file, which is not supported");
    auto type = scalar_type(t.data_type(), what);
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    // Dims come from the file: negative or overflowing sizes must be errors, not UB.
    int64_t numel = 1, strides = 1;
    for (auto d : dims) {
        if (d < 0 || __builtin_mul_overflow(numel, d, &numel) || __builtin_mul_overflow(strides, std::max<int64_t>(d, 1), &strides))
            throw std::invalid_argument(what + " has an invalid shape (a negative or overflowing dimension)");
    }
    auto check = [&](int64_t have) {
        if (have != numel)
            throw std::invalid_argument(what + " holds " + std::to_string(have) + " values for shape of " +
                                        std::to_string(numel));
    };
    if (t.has_raw_data()) {
        // Compare sizes before allocating, so a huge shape with little data allocates nothing.
        const auto &raw = t.raw_data();
        int64_t need = 0;
        if (__builtin_mul_overflow(numel, static_cast<int64_t>(c10::elementSize(type)), &need) ||
            raw.size() != static_cast<size_t>(need))
            throw std::invalid_argument(what + " has " + std::to_string(raw.size()) + " bytes of data; its shape needs " +
                                        std::to_string(numel) + " values of " + std::to_string(c10::elementSize(type)) +
                                        " bytes");
        auto out = at::empty(dims, at::TensorOptions().dtype(type));
        if (!raw.empty()) std::memcpy(out.data_ptr(), raw.data(), raw.size());
        return out;
    }
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: check(t.float_data_size()); return from_field(t.float_data(), type, dims);
    case onnx::TensorProto::DOUBLE: check(t.double_data_size()); return from_field(t.double_data(), type, dims);
    case onnx::TensorProto::INT64: check(t.int64_data_size()); return from_field(t.int64_data(), type, dims);
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: { // bit patterns, one per int32
        check(t.int32_data_size());
        std::vector<int16_t> bits(t.int32_data().begin(), t.int32_data().end());
        return at::from_blob(bits.data(), dims, at::kShort).clone().view(type);
    }
    default: check(t.int32_data_size()); return from_field(t.int32_data(), type, dims);
    }
}

void fill_proto(onnx::TensorProto *t, const at::Tensor &value, const std::string &name) {
    auto c = value.detach().to(at::kCPU).contiguous();
    t->set_name(name);
    t->set_data_type(onnx_type(c.scalar_type(), name));
    t->clear_dims();
    for (auto d : c.sizes()) t->add_dims(d);
    t->clear_raw_data();
    t->set_raw_data(std::string(static_cast<const char *>(c.data_ptr()), c.numel() * c.element_size()));
}

// Data-less placeholder for a tensor attribute: name, dims and type stay for the reader.
void strip(onnx::TensorProto *t, const std::string &key) {
    onnx::TensorProto kept;
    kept.set_name(key);
    kept.set_data_type(t->data_type());
    *kept.mutable_dims() = t->dims();
    *t = std::move(kept);
}

std::string attribute_key(const onnx::NodeProto &node, const onnx::AttributeProto &a) {
    std::string out = node.output_size() > 0 ? node.output(0) : node.name();
    return node.op_type() == "Constant" ? out : out + ":" + a.name();
}

void write_list(const std::vector<std::pair<std::string, at::Tensor>> &items, char ***names, ct_tensor **tensors) {
    *names = static_cast<char **>(std::malloc(sizeof(char *) * (items.size() + 1)));
    *tensors = static_cast<ct_tensor *>(std::malloc(sizeof(ct_tensor) * (items.size() + 1)));
    for (size_t i = 0; i < items.size(); ++i) {
        (*names)[i] = dup(items[i].first);
        (*tensors)[i] = wrap(items[i].second);
    }
}

int load(const std::string &path, char **json, char ***names, ct_tensor **tensors, int *n, int *n_init) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error(path, "cannot open");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
        throw file_error(path, "not a valid ONNX model (the protobuf data is truncated or corrupt)");
    if (!model.has_graph() || model.graph().node_size() == 0)
        throw file_error(path, "not a valid ONNX model (it holds no graph nodes)");
    std::vector<std::pair<std::string, at::Tensor>> items;
    auto *graph = model.mutable_graph();
    if (graph->sparse_initializer_size() > 0) throw file_error(path, "sparse initializers are not supported");
    size_t initializers = 0;
    try {
        for (const auto &t : graph->initializer())
            items.emplace_back(t.name(), to_tensor(t, "initializer '" + t.name() + "'"));
        initializers = items.size();
        graph->clear_initializer();
        for (auto &node : *graph->mutable_node()) {
            for (auto &a : *node.mutable_attribute()) {
                if (!a.has_t()) continue;
                auto key = attribute_key(node, a);
                items.emplace_back(key, to_tensor(a.t(), "attribute '" + a.name() + "' of node '" + node.name() + "'"));
                strip(a.mutable_t(), key);
            }
        }
    } catch (const c10::Error &e) {
        throw file_error(path, e.what_without_backtrace());
    } catch (const std::exception &e) {
        throw file_error(path, e.what());
    }
    if (json) {
        std::string text;
        google::protobuf::util::JsonPrintOptions options;
        options.preserve_proto_field_names = true;
        auto status = google::protobuf::util::MessageToJsonString(model, &text, options);
        if (!status.ok()) throw file_error(path, "cannot describe the graph as JSON: " + status.ToString());
        *json = dup(text);
    }
    write_list(items, names, tensors);
    *n = static_cast<int>(items.size());
    *n_init = static_cast<int>(initializers);
    return 0;
}

int save(const std::string &path, const char *json, const char *const *names, const ct_tensor *tensors, int n) {
    onnx::ModelProto model;
    auto status = google::protobuf::util::JsonStringToMessage(json, &model);
    if (!status.ok()) throw file_error(path, "the model description is not valid ONNX JSON: " + status.ToString());
    std::map<std::string, const at::Tensor *> byName;
    for (int i = 0; i < n; ++i) byName[names[i]] = &T(tensors[i]);
    std::set<std::string> attributeData;
    auto *graph = model.mutable_graph();
    try {
        for (auto &node : *graph->mutable_node()) {
            for (auto &a : *node.mutable_attribute()) {
                if (!a.has_t()) continue;
                const std::string key = a.t().name();
                auto found = byName.find(key);
                if (found == byName.end()) continue;
                fill_proto(a.mutable_t(), *found->second, key);
                attributeData.insert(key);
            }
        }
        for (int i = 0; i < n; ++i)
            if (!attributeData.count(names[i])) fill_proto(graph->add_initializer(), T(tensors[i]), names[i]);
    } catch (const c10::Error &e) {
        throw file_error(path, e.what_without_backtrace());
    } catch (const std::exception &e) {
        throw file_error(path, e.what());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out || !model.SerializeToOstream(&out)) throw file_error(path, "cannot write");
    out.close();
    if (!out) throw file_error(path, "cannot write");
    return 0;
}

} // namespace

extern "C" {

int ct_onnx_load(const char *path, char **json, char ***names, ct_tensor **tensors, int *n, int *n_initializers) {
    CT_TRY(return load(path, json, names, tensors, n, n_initializers);) return -1;
}

int ct_onnx_save(const char *path, const char *json, const char *const *names, const ct_tensor *tensors, int n) {
    CT_TRY(return save(path, json, names, tensors, n);) return -1;
}

} // extern "C"
