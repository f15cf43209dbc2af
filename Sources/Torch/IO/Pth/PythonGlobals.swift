import Foundation

/// The Python library classes and functions whose results the reader builds itself when a
/// pickle calls them (REDUCE / NEWOBJ). Anything not listed here, and not handled by the
/// caller's hook, becomes an opaque `PickleObject`.
enum PythonGlobals {
    /// Python 2 pickles name some modules differently.
    static func canonical(module: String) -> String {
        switch module {
        case "__builtin__": return "builtins"
        case "copy_reg": return "copyreg"
        default: return module
        }
    }

    /// The result of `module.name(*args)`, or nil when this reader does not model it.
    static func call(_ module: String, _ name: String, _ args: [PickleItem]) -> PickleItem? {
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"):
            // torch.save's state dicts: OrderedDict() then SETITEMS, then a BUILD of `_metadata` (ignored).
            let box = DictBox()
            if let source = args.first { fill(box, from: source) }
            return .dict(box)
        case ("collections", "defaultdict"):
            let box = DictBox()
            if args.count > 1 { fill(box, from: args[1]) }
            return .dict(box)
        case ("builtins", "list"):
            return .list(ListBox(args.first?.elements ?? []))
        case ("builtins", "set"), ("builtins", "frozenset"):
            let box = ObjectBox(type: "builtins.\(name)")
            box.items = args.first?.elements ?? []
            return .object(box)
        case ("builtins", "tuple"), ("torch", "Size"):
            return .tuple(args.first?.elements ?? [])
        case ("_codecs", "encode"):
            // Protocol 2 stores Python 3 bytes as _codecs.encode(text, 'latin1').
            guard let text = args.first?.string else { return nil }
            return encode(text, args.count > 1 ? args[1].string : nil).map { .value(.bytes($0)) }
        case ("builtins", "bytes"), ("builtins", "bytearray"):
            switch args.first {
            case nil: return .value(.bytes(Data()))
            case .value(.bytes(let data))?: return .value(.bytes(data))
            case .value(.string(let text))?:
                return encode(text, args.count > 1 ? args[1].string : nil).map { .value(.bytes($0)) }
            default: return nil
            }
        case ("copyreg", "_reconstructor"):
            // Python 2's way of saying "an instance of class args[0]".
            guard let cls = args.first?.global else { return nil }
            return .object("\(cls.module).\(cls.name)")
        case ("torch.jit._pickle", "restore_type_tag"):
            // libtorch's pickler tags typed containers: restore_type_tag(value, 'Dict[str, Tensor]').
            return args.first
        case ("torch.jit._pickle", let function) where function.hasPrefix("build_"):
            // build_intlist([...]), build_tensorlist([...]) ...: the list itself.
            return args.first.flatMap { $0.elements }.map { .list(ListBox($0)) }
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"):
            return numpyScalar(args)
        default:
            return nil
        }
    }

    /// dict(pairs) / OrderedDict(pairs) / dict(other_dict).
    private static func fill(_ box: DictBox, from source: PickleItem) {
        if case .dict(let other) = source {
            for pair in other.pairs { box.set(pair.key, pair.value) }
        } else if let elements = source.elements {
            for element in elements {
                guard let pair = element.elements, pair.count == 2 else { continue }
                box.set(pair[0], pair[1])
            }
        }
    }

    private static func encode(_ text: String, _ encoding: String?) -> Data? {
        switch encoding?.lowercased() {
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
            var out = Data()
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else { return nil }
                out.append(UInt8(scalar.value))
            }
            return out
        case nil, "utf-8", "utf8", "ascii":
            return Data(text.utf8)
        default:
            return nil
        }
    }

    /// numpy scalars (numpy.float64(0.5), often a "best accuracy" in checkpoints):
    /// scalar(dtype('f8', ...) with state (3, '<', ...), raw bytes) → a Python number.
    private static func numpyScalar(_ args: [PickleItem]) -> PickleItem? {
        guard args.count == 2, case .object(let dtype) = args[0], dtype.type.hasSuffix(".dtype"),
            let code = dtype.args.first?.string, case .value(.bytes(let raw)) = args[1]
        else { return nil }
        var order = "<"
        if case .tuple(let state)? = dtype.state, state.count > 1, let o = state[1].string { order = o }
        guard let kind = code.first, let size = Int(code.dropFirst()), raw.count == size else { return nil }
        let bytes = order == ">" ? Data(raw.reversed()) : raw
        func load<T: FixedWidthInteger>(_: T.Type) -> T {
            bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        switch (kind, size) {
        case ("f", 8): return .value(.float(Double(bitPattern: load(UInt64.self))))
        case ("f", 4): return .value(.float(Double(Float(bitPattern: load(UInt32.self)))))
        case ("i", 8): return .value(.int(Int(load(Int64.self))))
        case ("i", 4): return .value(.int(Int(load(Int32.self))))
        case ("i", 2): return .value(.int(Int(load(Int16.self))))
        case ("i", 1): return .value(.int(Int(load(Int8.self))))
        case ("u", 4): return .value(.int(Int(load(UInt32.self))))
        case ("u", 2): return .value(.int(Int(load(UInt16.self))))
        case ("u", 1): return .value(.int(Int(load(UInt8.self))))
        case ("b", 1): return .value(.bool(load(UInt8.self) != 0))
        default: return nil
        }
    }
}
