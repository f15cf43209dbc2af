// CTorch ONNX: read and write ONNX ModelProto files through libonnx's protobuf classes.
//
// The graph travels as JSON: protobuf's JSON mapping of onnx.ModelProto with the field names of
// onnx.proto (`op_type`, `opset_import`, `elem_type`, ...). As in that mapping, 64-bit integers
// are JSON strings, `bytes` fields (string attributes) are base64 and enums are names.
// Tensor data never travels in the JSON:
// - initializers are handed over as ct_tensors by name (and left out of graph.initializer);
// - a tensor attribute (Constant's `value`, ConstantOfShape's `value`...) keeps only its
//   `name`, `dims` and `data_type`, and its data is handed over as a ct_tensor under that
//   name: the node's first output for Constant, "<first output>:<attribute>" otherwise.
// Errors follow ctorch.h (0 / -1 and ct_last_error()); every message starts with the path.
#ifndef CTORCH_ONNX_H
#define CTORCH_ONNX_H

#include "ctorch.h"

#ifdef __cplusplus
extern "C" {
#endif

// Reads `path`. `json` may be NULL to skip the graph (weights only); otherwise *json is a
// malloc'd NUL-terminated string. *names (malloc'd array of malloc'd strings) and *tensors
// (malloc'd array) hold *n tensors: the *n_initializers initializers first, in file order,
// then the attribute tensors. Free every name and both arrays with ct_free.
int ct_onnx_load(const char *path, char **json, char ***names, ct_tensor **tensors, int *n,
                 int *n_initializers);

// Writes a ModelProto built from `json` (the shape ct_onnx_load gives) to `path`. A tensor whose
// name matches a data-less tensor attribute fills that attribute; every other tensor becomes a
// graph initializer (written as raw little-endian data).
int ct_onnx_save(const char *path, const char *json, const char *const *names, const ct_tensor *tensors, int n);

#ifdef __cplusplus
}
#endif
#endif
