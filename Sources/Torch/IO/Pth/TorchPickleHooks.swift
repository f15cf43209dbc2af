import Foundation

/// What `torch.save` puts in a pickle beyond plain Python: storages as persistent ids
/// (see `TorchStorageID`) whose bytes come from a `TorchStorageSource`, and tensors rebuilt
/// from them by `torch._utils` functions. Each storage is read once (per element type) and
/// shared by every tensor viewing it. Tensors load on the CPU whatever their saved location;
/// `requires_grad` is not restored.
final class TorchPickleHooks {
    let source: any TorchStorageSource
    let bigEndian: Bool
    private var storages: [String: Tensor] = [:]
    /// Legacy storage views (slices of another storage), by the identity of the flat tensor
    /// handed to the pickle: the storage they slice and the element they start at. libtorch
    /// counts storage offsets from the start of the whole storage, so rebuilding a tensor on a
    /// view must start from there.
    private var views: [ObjectIdentifier: (root: Tensor, start: Int)] = [:]

    init(source: any TorchStorageSource, bigEndian: Bool) {
        self.source = source
        self.bigEndian = bigEndian
    }

    func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        // Legacy whole-model pickles name module classes as ('module', class, file, source).
        if let fields = pid.elements, fields.count >= 2, fields[0].string == "module" { return fields[1] }
        let id = try TorchStorageID(pid)
        guard let dtype = id.dtype else {
            // Tensors on it stay opaque too (their rebuild call has no tensor to view).
            return .object(PickleObject(type: id.typeDescription, args: Array(pid.elements![2...])))
        }
        let root = try storage(key: id.key, dtype: dtype, numel: id.numel)
        guard let view = id.view else { return .tensor(root) }
        let viewKey = "view \(view.key)/\(dtype.rawValue)"
        if let slice = storages[viewKey] { return .tensor(slice) }
        let slice = try root.narrow(dim: 0, start: view.offset, length: view.numel)
        storages[viewKey] = slice
        views[ObjectIdentifier(slice)] = (root, view.offset)
        return .tensor(slice)
    }

    private func storage(key: String, dtype: DType, numel: Int) throws -> Tensor {
        let cacheKey = "\(key)/\(dtype.rawValue)"
        if let storage = storages[cacheKey] { return storage }
        let storage = try read(key: key, dtype: dtype, numel: numel)
        storages[cacheKey] = storage
        return storage
    }

    private func read(key: String, dtype: DType, numel: Int) throws -> Tensor {
        if numel == 0 { return try Tensor.zeros([0], dtype: dtype) }
        let bytes = try source.storageBytes(key: key, dtype: dtype, numel: numel)
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
            let view = views[ObjectIdentifier(storage)]
            return .tensor(try TorchTensorRebuild.view(of: storage, offset: offset, size: size, stride: stride,
                                                       root: view?.root, start: view?.start ?? 0))
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
