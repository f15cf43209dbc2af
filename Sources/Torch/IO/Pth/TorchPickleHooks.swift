import Foundation

/// What `torch.save` puts in a pickle beyond plain Python: storages as persistent ids
/// `('storage', torch.FloatStorage, '<key>', '<location>', numel)` whose bytes are the archive
/// entry `<prefix>/data/<key>`, and tensors rebuilt from them by `torch._utils` functions.
/// Each storage is read once (per element type) and shared by every tensor viewing it.
/// Tensors load on the CPU whatever their saved location; `requires_grad` is not restored.
final class TorchPickleHooks {
    let archive: ZipArchive
    let prefix: String
    let bigEndian: Bool
    private var storages: [String: Tensor] = [:]

    init(archive: ZipArchive, prefix: String, bigEndian: Bool) {
        self.archive = archive
        self.prefix = prefix
        self.bigEndian = bigEndian
    }

    func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard let fields = pid.elements, fields.count >= 5, fields[0].string == "storage",
            case .global(let module, let name) = fields[1]
        else { throw PickleError("persistent id \(pid) is not a ('storage', type, key, location, numel) tuple") }
        guard let key = fields[2].string ?? fields[2].int.map(String.init), let numel = fields[4].int, numel >= 0 else {
            throw PickleError("storage id \(pid) has no valid key or element count")
        }
        guard let dtype = TorchStorageType.dtype(module: module, name: name) else {
            // Tensors on it stay opaque too (their rebuild call has no tensor to view).
            return .object(PickleObject(type: "\(module).\(name)", args: Array(fields[2...])))
        }
        let cacheKey = "\(key)/\(dtype.rawValue)"
        if let storage = storages[cacheKey] { return .tensor(storage) }
        let storage = try read(key: key, dtype: dtype, numel: numel)
        storages[cacheKey] = storage
        return .tensor(storage)
    }

    private func read(key: String, dtype: DType, numel: Int) throws -> Tensor {
        let name = prefix.isEmpty ? "data/\(key)" : "\(prefix)/data/\(key)"
        guard let entry = archive.entry(named: name) else {
            throw PickleError("storage '\(key)' has no entry '\(name)' in the archive")
        }
        let (needed, overflow) = numel.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, needed <= entry.size else {
            throw PickleError("storage '\(key)' should hold \(numel) \(dtype) elements but entry '\(name)' "
                + "has only \(entry.size) bytes")
        }
        if numel == 0 { return try Tensor.zeros([0], dtype: dtype) }
        let bytes = UnsafeRawBufferPointer(rebasing: try archive.bytes(of: entry)[0..<needed])
        guard bigEndian, dtype.byteSize > 1 else {
            return try Tensor.fromBytes(bytes, shape: [numel], dtype: dtype)
        }
        var swapped = [UInt8](bytes)
        let width = dtype.byteSize
        for start in stride(from: 0, to: swapped.count, by: width) { swapped[start..<(start + width)].reverse() }
        return try swapped.withUnsafeBytes { try Tensor.fromBytes($0, shape: [numel], dtype: dtype) }
    }

    /// Builds tensors from torch's rebuild functions; nil leaves a call opaque.
    func call(_ module: String, _ name: String, _ args: [PickleValue]) throws -> PickleValue? {
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            // (storage, storage_offset, size, stride[, requires_grad, backward_hooks, metadata])
            guard args.count >= 4, case .tensor(let storage) = args[0] else { return nil }
            guard let offset = args[1].int, let size = ints(args[2]), let stride = ints(args[3]) else {
                throw PickleError("\(name) expects (storage, offset, size, stride), got \(PickleValue.tuple(args))")
            }
            return .tensor(try TorchTensorRebuild.view(of: storage, offset: offset, size: size, stride: stride))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            // nn.Parameter(data, requires_grad, backward_hooks[, state]): the data.
            guard case .tensor(let data)? = args.first else { return nil }
            return .tensor(data)
        case ("torch._tensor", "_rebuild_from_type_v2"), ("torch._tensor", "_rebuild_from_type"):
            // A tensor subclass: (function, subclass, function's args, state) — the plain tensor.
            guard args.count >= 3, case .global(let m, let n) = args[0], let inner = args[2].elements else { return nil }
            return try call(m, n, inner)
        default:
            return nil
        }
    }

    private func ints(_ value: PickleValue) -> [Int]? {
        guard let elements = value.elements else { return nil }
        let values = elements.compactMap(\.int)
        return values.count == elements.count ? values : nil
    }
}
