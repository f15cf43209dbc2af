import Foundation

/// A Python object as read from a pickle, without running any Python: plain values and
/// containers as themselves, tensors as `Tensor`, and everything else as an opaque record of
/// how the pickle built it.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    /// Python ints that fit in 64 bits (larger ones become `.object` of type `builtins.int`).
    case int(Int)
    case float(Double)
    case string(String)
    case bytes(Data)
    case list([PickleValue])
    case tuple([PickleValue])
    /// A dict (or OrderedDict) in insertion order.
    case dict([(key: PickleValue, value: PickleValue)])
    case tensor(Tensor)
    /// A class or function named by the pickle but not called (for example a storage type).
    case global(module: String, name: String)
    /// Anything else: an instance of a class this reader does not model.
    case object(PickleObject)
}

/// An object of a class the reader does not model, recorded as the pickle built it:
/// `type(*args)`, then the items and pairs appended to it, then `__setstate__(state)`.
public struct PickleObject: Sendable {
    /// The `module.qualname` of the class or function that made it.
    public var type: String
    public var args: [PickleValue]
    public var state: PickleValue?
    public var items: [PickleValue]
    public var pairs: [(key: PickleValue, value: PickleValue)]

    public init(type: String, args: [PickleValue] = [], state: PickleValue? = nil,
                items: [PickleValue] = [], pairs: [(key: PickleValue, value: PickleValue)] = []) {
        self.type = type
        self.args = args
        self.state = state
        self.items = items
        self.pairs = pairs
    }
}

extension PickleValue {
    public var tensor: Tensor? { if case .tensor(let t) = self { return t } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var object: PickleObject? { if case .object(let o) = self { return o } else { return nil } }

    /// An int (or bool, as in Python).
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// A float, or an int read as one.
    public var double: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    /// The elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    /// The pairs of a dict.
    public var pairs: [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let pairs) = self { return pairs } else { return nil }
    }

    /// The value stored under a string key of a dict (the last one, as Python keeps).
    public subscript(key: String) -> PickleValue? {
        pairs?.last { $0.key.string == key }?.value
    }

    /// A dict's string-keyed tensors, in order; other entries are left out.
    public var tensorsByName: [(name: String, tensor: Tensor)] {
        (pairs ?? []).compactMap { pair in
            guard let name = pair.key.string, let tensor = pair.value.tensor else { return nil }
            return (name, tensor)
        }
    }

    /// Python's name for the value's type, for messages.
    public var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .tensor: return "Tensor"
        case .global(let module, let name): return "\(module).\(name)"
        case .object(let o): return o.type
        }
    }
}

extension PickleValue: CustomStringConvertible {
    /// A Python-like rendering; tensors show dtype and shape only.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return "'\(s)'"
        case .bytes(let d): return "b<\(d.count) bytes>"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let items):
            return "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .dict(let pairs):
            return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .tensor(let t): return "tensor(\(t.dtype), shape: \(t.shape))"
        case .global(let module, let name): return "<\(module).\(name)>"
        case .object(let o):
            return "<\(o.type)(" + o.args.map(\.description).joined(separator: ", ") + ")>"
        }
    }
}
