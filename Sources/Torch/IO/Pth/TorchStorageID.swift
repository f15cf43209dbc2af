/// A storage as `torch.save` names it in a persistent id:
/// `('storage', torch.FloatStorage, key, location, numel)` in the zip format, with a sixth
/// field `view_metadata` in the legacy format: None, or `(view_key, offset, numel)` for a storage
/// that is a slice of the one named by `key` (written by torch ≤ 0.3; later versions write None).
struct TorchStorageID {
    /// The storage class, as the pickle names it (`torch`, `FloatStorage`).
    let typeModule: String
    let typeName: String
    let key: String
    /// Elements in the storage named by `key`.
    let numel: Int
    let view: View?

    /// `numel` elements starting at element `offset` of the storage named by `key`.
    struct View {
        let key: String
        let offset: Int
        let numel: Int
    }

    /// The element type, or nil for storages this library cannot hold (complex, quantized ...).
    var dtype: DType? { TorchStorageType.dtype(module: typeModule, name: typeName) }

    var typeDescription: String { "\(typeModule).\(typeName)" }

    init(_ pid: PickleValue) throws {
        guard let fields = pid.elements, fields.count >= 5, fields[0].string == "storage",
            case .global(let module, let name) = fields[1]
        else { throw PickleError("persistent id \(pid) is not a ('storage', type, key, location, numel) tuple") }
        guard let key = Self.key(fields[2]), let numel = fields[4].int, numel >= 0 else {
            throw PickleError("storage id \(pid) has no valid key or element count")
        }
        typeModule = module
        typeName = name
        self.key = key
        self.numel = numel
        switch fields.count > 5 ? fields[5] : .none {
        case .none:
            view = nil
        case let metadata:
            guard let parts = metadata.elements, parts.count == 3, let viewKey = Self.key(parts[0]),
                let offset = parts[1].int, let count = parts[2].int, offset >= 0, count >= 0,
                offset <= numel, count <= numel - offset
            else {
                throw PickleError("storage id \(pid) has view metadata \(metadata) that is not a "
                    + "(key, offset, numel) slice of its \(numel)-element storage")
            }
            view = View(key: viewKey, offset: offset, numel: count)
        }
    }

    /// Keys are strings (`str(storage._cdata)` or a counter); libtorch's writer may use ints.
    static func key(_ value: PickleValue) -> String? { value.string ?? value.int.map(String.init) }
}
