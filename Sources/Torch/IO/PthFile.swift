import CTorch
import Foundation

/// PyTorch checkpoints as `torch.save` writes them: the zip format (torch ≥ 1.6) and the legacy
/// format of older torch (`_use_new_zipfile_serialization=False`). Reading is pure Swift
/// (`PthContainer`: `ZipArchive` or `LegacyPthFile`, then `Unpickler`), so files written by
/// Python's `torch.save` and by libtorch both load; writing goes through libtorch's
/// `pickle_save` (zip format), whose files Python's `torch.load` reads.
public enum PthFile {
    /// Where checkpoint dicts commonly keep the model's state dict, in the order `load` tries them.
    public static let checkpointKeys = ["state_dict", "model", "model_state_dict", "net", "state_dict_ema"]

    /// Reads a state dict: the tensors of the pickled dict, by name.
    ///
    /// A checkpoint dict is unwrapped: the first of `checkpointKeys` whose value is a dict
    /// holding tensors wins (so `{'state_dict': ..., 'epoch': 3}` gives the state dict);
    /// failing that, the top-level dict's own tensors are used. Entries that are not tensors
    /// (numbers, strings, nested dicts) are skipped. Tensors are CPU tensors, views of
    /// shared storages exactly as saved.
    public static func load(_ path: String) throws -> [String: Tensor] {
        let container = try PthContainer(path: path)
        let object = try container.readObject()
        do {
            return try stateDict(in: object)
        } catch let error as PickleError {
            guard container.isTorchScript else { throw TorchError.file(path: path, reason: error.message) }
            throw TorchError.file(path: path, reason: "a TorchScript archive (torch.jit.save) holding a \(object.typeName), "
                + "not a state dict; in Python, torch.jit.load it and torch.save(model.state_dict(), path)")
        }
    }

    /// Reads the whole pickled object (a checkpoint dict with epochs, optimizer state ...).
    public static func loadObject(_ path: String) throws -> PickleValue {
        try PthContainer(path: path).readObject()
    }

    /// The state dict inside a loaded object, found as `load` describes. Throws a `PickleError`
    /// (without offset) saying what the object holds when there is none.
    public static func stateDict(in object: PickleValue) throws -> [String: Tensor] {
        guard let pairs = object.pairs else {
            throw PickleError("holds a \(object.typeName), not a dict of tensors; save model.state_dict() with torch.save")
        }
        if pairs.isEmpty { return [:] }
        func holdsTensors(_ value: PickleValue) -> Bool {
            (value.pairs ?? []).contains { $0.key.string != nil && ($0.value.tensor != nil || isUnbuiltTensor($0.value)) }
        }
        let chosen: (pairs: [(key: PickleValue, value: PickleValue)], path: String)
        if let key = checkpointKeys.first(where: { object[$0].map(holdsTensors) ?? false }) {
            chosen = (object[key]!.pairs!, "['\(key)']")
        } else if holdsTensors(object) {
            chosen = (pairs, "")
        } else {
            let keys = pairs.prefix(12).map(\.key.description).joined(separator: ", ")
            throw PickleError("holds a dict without tensors (keys: \(keys)\(pairs.count > 12 ? ", …" : "")) and no "
                + "state dict under " + checkpointKeys.map { "'\($0)'" }.joined(separator: ", ")
                + "; save model.state_dict() with torch.save")
        }
        var tensors: [String: Tensor] = [:]
        for (key, value) in chosen.pairs {
            guard let name = key.string else { continue }
            if let tensor = value.tensor {
                tensors[name] = tensor
            } else if isUnbuiltTensor(value) {
                var kind = value.typeName
                if let storage = value.object?.args.first?.typeName, storage.hasSuffix("Storage") {
                    kind += " on a \(storage)"
                }
                throw PickleError("tensor \(chosen.path)['\(name)'] is of a kind this reader cannot build (\(kind)); "
                    + "supported are dense tensors of float16/32/64, bfloat16, int8/16/32/64, uint8 and bool: "
                    + "convert it in Python (e.g. .dequantize(), .to_dense()) and save again")
            }
        }
        return tensors
    }

    /// A tensor whose rebuild call was left opaque (complex, quantized, sparse ... storages).
    private static func isUnbuiltTensor(_ value: PickleValue) -> Bool {
        guard let type = value.object?.type else { return false }
        return type.hasPrefix("torch._utils._rebuild_") || type.hasPrefix("torch._tensor._rebuild_")
    }

    public static func save(_ tensors: [String: Tensor], to path: String) throws {
        let names = tensors.keys.sorted()
        let values = names.map { tensors[$0]! }
        var cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let handles: [OpaquePointer?] = values.map { $0.handle }
        try AtomicWrite.write(to: path) { tmp in
            try cNames.withUnsafeMutableBufferPointer { buf in
                try withExtendedLifetime(values) {
                    let ptrs = buf.map { UnsafePointer<CChar>($0) }
                    if ct_pth_save(tmp, ptrs, handles, Int32(handles.count)) != 0 {
                        throw TorchError.file(path: path, reason: String(cString: ct_last_error()))
                    }
                }
            }
        }
    }
}
