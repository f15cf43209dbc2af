// PyTorch zip checkpoints (torch.save of a dict name -> tensor) through libtorch's own pickler.
#include "common.h"
#include <torch/serialize.h>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace ctorch;

extern "C" {

int ct_pth_load(const char *path, char ***names, ct_tensor **tensors, int *n) {
    CT_TRY(std::ifstream in(path, std::ios::binary); if (!in) {
        set_error((std::string("cannot open ") + path).c_str());
        return -1;
    } std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
           auto value = torch::pickle_load(bytes);
           if (!value.isGenericDict()) {
               set_error((std::string(path) + " does not hold a dict of tensors (a state_dict)").c_str());
               return -1;
           } auto dict = value.toGenericDict();
           *n = static_cast<int>(dict.size());
           *names = static_cast<char **>(std::malloc(sizeof(char *) * (dict.size() + 1)));
           *tensors = static_cast<ct_tensor *>(std::malloc(sizeof(ct_tensor) * (dict.size() + 1)));
           int i = 0;
           for (const auto &entry : dict) {
               if (!entry.key().isString() || !entry.value().isTensor()) continue;
               (*names)[i] = dup(entry.key().toStringRef());
               (*tensors)[i] = wrap(entry.value().toTensor());
               ++i;
           } *n = i;
           return 0;)
    return -1;
}

int ct_pth_save(const char *path, const char *const *names, const ct_tensor *tensors, int n) {
    CT_TRY(c10::Dict<std::string, at::Tensor> dict; for (int i = 0; i < n; ++i) dict.insert(names[i], T(tensors[i]));
           auto bytes = torch::pickle_save(c10::IValue(dict)); std::ofstream out(path, std::ios::binary);
           out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); if (!out) {
               set_error((std::string("cannot write ") + path).c_str());
               return -1;
           } return 0;)
    return -1;
}

} // extern "C"
