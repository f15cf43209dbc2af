/// PyTorch's storage classes (`torch.FloatStorage` ...) as they name a tensor's element type
/// in a checkpoint's persistent ids.
enum TorchStorageType {
    /// The element type of `module.name`, or nil for a storage this library cannot hold
    /// (complex, quantized, float8 ...). Legacy CUDA storages (`torch.cuda.FloatStorage`) load on the CPU.
    static func dtype(module: String, name: String) -> DType? {
        guard module == "torch" || module == "torch.cuda" else { return nil }
        switch name {
        case "FloatStorage": return .float32
        case "DoubleStorage": return .float64
        case "HalfStorage": return .float16
        case "BFloat16Storage": return .bfloat16
        case "LongStorage": return .int64
        case "IntStorage": return .int32
        case "ShortStorage": return .int16
        case "CharStorage": return .int8
        case "ByteStorage", "UntypedStorage": return .uint8
        case "BoolStorage": return .bool
        default: return nil
        }
    }

    /// Bytes per element of `module.name`, also for storages this library cannot hold: a legacy
    /// file lays storages end to end, so finding one means stepping over those before it.
    static func elementSize(module: String, name: String) -> Int? {
        if let dtype = dtype(module: module, name: name) { return dtype.byteSize }
        guard module == "torch" || module == "torch.cuda" else { return nil }
        switch name {
        case "ComplexDoubleStorage": return 16
        case "ComplexFloatStorage": return 8
        case "ComplexHalfStorage", "QInt32Storage": return 4
        case "QInt8Storage", "QUInt8Storage", "QUInt4x2Storage", "QUInt2x4Storage": return 1
        default: return nil
        }
    }
}
