// Writes PyTorch zip checkpoints (a dict name -> tensor) through libtorch's own pickler.
// Reading is done in Swift (Sources/Torch/IO/Pth), which also reads Python's torch.save files.
#include "common.h"
#include <torch/serialize.h>
#include <fstream>

using namespace ctorch;

extern "C" {

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
